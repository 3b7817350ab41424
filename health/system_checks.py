"""Django system checks of the database the deployment runs on (`manage.py check --database
default`; `migrate` runs them too).

PostgreSQL's autovacuum keeps the planner's statistics current: without it a table that grew
since its last ANALYZE is planned as if empty, and the duplicate lookup among a million persons
scanned every case of a unit (issue 15: 12 ms growing with the unit, 0.3 ms after ANALYZE).
"""

from django.core.checks import Tags, Warning, register
from django.db import connections

AUTOVACUUM_OFF = "loive.W001"


def autovacuum_problem(setting: str) -> Warning | None:
    """The warning for PostgreSQL's `autovacuum` setting as SHOW prints it, if it is off."""
    if setting == "on":
        return None
    return Warning(
        "PostgreSQL's autovacuum is off: the planner's statistics go stale as cases are added, "
        "and lists and the duplicate lookup slow down with the volume.",
        hint="Set autovacuum = on in postgresql.conf (deploy/README.md, PostgreSQL).",
        id=AUTOVACUUM_OFF,
    )


@register(Tags.database)
def check_autovacuum(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    problems = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            problem = autovacuum_problem(cursor.fetchone()[0])
        if problem is not None:
            problems.append(problem)
    return problems
