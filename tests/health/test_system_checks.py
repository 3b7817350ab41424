"""The database's system checks (health.system_checks)."""

import pytest
from django.core.management import call_command
from django.db import connection

from health.system_checks import AUTOVACUUM_OFF, autovacuum_problem, check_autovacuum


def test_autovacuum_off_is_warned_and_on_is_not():
    assert autovacuum_problem("off").id == AUTOVACUUM_OFF
    assert autovacuum_problem("on") is None


@pytest.mark.django_db
def test_the_check_reads_the_servers_setting():
    """On PostgreSQL the warning follows SHOW autovacuum; SQLite has nothing to check."""
    found = [problem.id for problem in check_autovacuum(databases=["default"])]
    if connection.vendor != "postgresql":
        assert found == []
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        setting = cursor.fetchone()[0]
    assert found == ([] if setting == "on" else [AUTOVACUUM_OFF])


@pytest.mark.django_db
def test_manage_py_check_with_the_database_runs_it(capsys):
    if connection.vendor != "postgresql":
        pytest.skip("autovacuum is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        off = cursor.fetchone()[0] != "on"
    call_command("check", "--database", "default")
    assert (AUTOVACUUM_OFF in capsys.readouterr().err) is off
