"""Database triggers that make the audit ledger append-only, per database vendor.

The SQL is versioned (V1) because migrations import it: change it only in a new migration.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLE = "security_auditevent"

POSTGRESQL_TRIGGERS_V1 = [
    f"""
    CREATE OR REPLACE FUNCTION security_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = '{AUDIT_TABLE} is append-only: ' || TG_OP || ' refused';
    END
    $$
    """,
    f"""
    CREATE TRIGGER security_auditevent_append_only
    BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION security_audit_append_only()
    """,
]
POSTGRESQL_DROP_V1 = [
    f"DROP TRIGGER IF EXISTS security_auditevent_append_only ON {AUDIT_TABLE}",
    "DROP FUNCTION IF EXISTS security_audit_append_only()",
]

SQLITE_TRIGGERS_V1 = [
    f"""
    CREATE TRIGGER security_auditevent_no_update BEFORE UPDATE ON {AUDIT_TABLE}
    BEGIN SELECT RAISE(ABORT, '{AUDIT_TABLE} is append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER security_auditevent_no_delete BEFORE DELETE ON {AUDIT_TABLE}
    BEGIN SELECT RAISE(ABORT, '{AUDIT_TABLE} is append-only: DELETE refused'); END
    """,
]
SQLITE_DROP_V1 = [
    "DROP TRIGGER IF EXISTS security_auditevent_no_update",
    "DROP TRIGGER IF EXISTS security_auditevent_no_delete",
]


def trigger_sql(vendor: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements for a vendor; other databases are refused, not left open."""
    if vendor == "postgresql":
        return POSTGRESQL_TRIGGERS_V1, POSTGRESQL_DROP_V1
    if vendor == "sqlite":
        return SQLITE_TRIGGERS_V1, SQLITE_DROP_V1
    raise NotImplementedError(f"No append-only audit triggers for {vendor}.")


def allow_flush_of_ledger(connection: BaseDatabaseWrapper) -> None:
    """Let `flush` empty the ledger on SQLite as TRUNCATE does on PostgreSQL.

    `flush` wipes the whole database (tests use it between transactional tests); SQLite
    implements it with DELETE, which the row triggers refuse. Only the flush statement list is
    changed: triggers are dropped and recreated around it in flush's own transaction.
    """
    if connection.vendor != "sqlite" or getattr(connection.ops, "_loive_flush", False):
        return
    original = connection.ops.sql_flush

    def sql_flush(style, tables, **kwargs):
        statements = original(style, tables, **kwargs)
        if AUDIT_TABLE not in tables:
            return statements
        return [*SQLITE_DROP_V1, *statements, *SQLITE_TRIGGERS_V1]

    connection.ops.sql_flush = sql_flush
    connection.ops._loive_flush = True
