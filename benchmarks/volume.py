"""Volume for the read benchmarks: the demo story's cases copied N times inside the database.

Each copy of a case gets its persons, holdings, intakes, state changes, records and referrals,
with ids shifted by a multiple of the table's largest id (so references between the copied
rows stay consistent), fresh uuids, a suffixed case number and fresh blind indexes (a phone
lookup finds only the case it was seeded for). Encrypted columns are copied as they are:
they cannot be decrypted under the new row's uuid, so the benchmarks read only what the
pages read without decrypting (lists, counts, the overdue list) on copies, and time the
timeline on an original case. Nullable encrypted columns of referrals and state changes are
left empty in copies so that the overdue list can serialise them.
"""

from django.db import connection
from django.db.models import Model

from cases.models import (
    Case,
    CaseHolding,
    Identification,
    Intake,
    Person,
    Rescue,
    StateChange,
    SupportService,
    Verification,
)
from referrals.models import Referral

# Model → its foreign keys to copied tables (their ids are shifted with the copy).
COPIED: list[tuple[type[Model], dict[str, type[Model]]]] = [
    (Case, {"duplicate_of_id": Case}),
    (Person, {"case_id": Case}),
    (CaseHolding, {"case_id": Case}),
    (Intake, {"case_id": Case}),
    (StateChange, {"case_id": Case}),
    (Verification, {"case_id": Case}),
    (Identification, {"case_id": Case}),
    (Rescue, {"case_id": Case}),
    (SupportService, {"case_id": Case}),
    (Referral, {"case_id": Case, "holding_id": CaseHolding}),
]
BLIND_INDEXES = ("phone_index", "id_number_index", "name_year_index")
EMPTIED = {"justification", "reason"}  # nullable encrypted columns left NULL in copies


def _random_hex() -> str:
    if connection.vendor == "postgresql":
        return "md5(random()::text)"
    return "lower(hex(randomblob(16)))"


def _random_uuid() -> str:
    return "gen_random_uuid()" if connection.vendor == "postgresql" else _random_hex()


def _expression(model: type[Model], column: str, shifts: dict[str, int]) -> str:
    if column == "id":
        return f"t.id + s.n * {shifts[model._meta.db_table]}"
    if column == "uuid":
        return _random_uuid()
    if model is Case and column == "number":
        return "t.number || '-' || s.n"
    if column == "idempotency_key":
        return "''"
    if column in BLIND_INDEXES:
        return f"CASE WHEN t.{column} = '' THEN '' ELSE {_random_hex()} END"
    if column in EMPTIED and model in (Referral, StateChange):
        return "NULL"
    return f't."{column}"'


def _copy(model: type[Model], references: dict, copies: int, shifts: dict[str, int]) -> None:
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields]
    values = []
    for column in columns:
        target = references.get(column)
        shift = shifts[target._meta.db_table] if target else 0
        values.append(
            f"t.{column} + s.n * {shift}" if target else _expression(model, column, shifts)
        )
    quoted = ", ".join(f'"{column}"' for column in columns)
    sql = (
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
        f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(values)} '  # noqa: S608
        f'FROM "{table}" t, s WHERE t.id <= %s'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [copies, shifts[table]])


def multiply(copies: int) -> dict[str, int]:
    """Copy every case of the database `copies` times; returns the row count per table."""
    shifts = {}
    for model, _references in COPIED:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            shifts[table] = cursor.fetchone()[0]
    for model, references in COPIED:
        _copy(model, references, copies, shifts)
    with connection.cursor() as cursor:
        for model, _references in COPIED:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), MAX(id)) "  # noqa: S608
                    f'FROM "{table}"'
                )
    return analyze()


def analyze() -> dict[str, int]:
    """ANALYZE every table (the planner's statistics: autovacuum may be off, issue 15);
    returns the row count per copied table."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {model._meta.db_table: model.objects.count() for model, _references in COPIED}
