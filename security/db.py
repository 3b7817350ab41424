"""Database triggers that make the audit ledger append-only, per database vendor.

The SQL is versioned because migrations import it: change it only in a new migration.
V1: no UPDATE, no DELETE (events were chained as they were written).
V2: events are written unsealed (no sequence, no hash) and sealed later by one sealer
(security.audit.seal_pending). An INSERT must be unsealed; the only UPDATE allowed is the
sealing of an unsealed row (sequence, prev_hash and hash set once, every other field unchanged);
a sealed row never changes; DELETE is refused.
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


# Every column but the three the sealer sets: the sealing update must leave them unchanged.
_KEPT = (
    "id",
    "timestamp",
    "actor_id",
    "actor_username",
    "actor_unit_id",
    "action",
    "object_type",
    "object_id",
    "case_uuid",
    "reason",
    "details",
)
_UNSEALED = "{row}.sequence IS NULL AND {row}.hash IS NULL AND {row}.prev_hash = ''"
_SEALING = (
    _UNSEALED.format(row="OLD")
    + " AND NEW.sequence IS NOT NULL AND NEW.sequence > 0"
    + " AND length(NEW.hash) = 64 AND length(NEW.prev_hash) = 64"
)

POSTGRESQL_TRIGGERS_V2 = [
    f"""
    CREATE OR REPLACE FUNCTION security_audit_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF {_UNSEALED.format(row="NEW")} THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION USING MESSAGE =
                '{AUDIT_TABLE} is append-only: INSERT of a sealed event refused';
        END IF;
        IF TG_OP = 'UPDATE' AND {_SEALING}
           AND ({", ".join(f"NEW.{c}" for c in _KEPT)})
               IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in _KEPT)}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING MESSAGE = '{AUDIT_TABLE} is append-only: ' || TG_OP || ' refused';
    END
    $$
    """,
    f"""
    CREATE TRIGGER security_auditevent_guard
    BEFORE INSERT OR UPDATE OR DELETE ON {AUDIT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION security_audit_guard()
    """,
]
POSTGRESQL_DROP_V2 = [
    f"DROP TRIGGER IF EXISTS security_auditevent_guard ON {AUDIT_TABLE}",
    "DROP FUNCTION IF EXISTS security_audit_guard()",
]

SQLITE_TRIGGERS_V2 = [
    f"""
    CREATE TRIGGER security_auditevent_unsealed_insert BEFORE INSERT ON {AUDIT_TABLE}
    WHEN NOT ({_UNSEALED.format(row="NEW")})
    BEGIN SELECT RAISE(ABORT, '{AUDIT_TABLE} is append-only: INSERT of a sealed event refused');
    END
    """,
    f"""
    CREATE TRIGGER security_auditevent_seal_only BEFORE UPDATE ON {AUDIT_TABLE}
    WHEN NOT ({_SEALING} AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in _KEPT)})
    BEGIN SELECT RAISE(ABORT, '{AUDIT_TABLE} is append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER security_auditevent_no_delete BEFORE DELETE ON {AUDIT_TABLE}
    BEGIN SELECT RAISE(ABORT, '{AUDIT_TABLE} is append-only: DELETE refused'); END
    """,
]
SQLITE_DROP_V2 = [
    "DROP TRIGGER IF EXISTS security_auditevent_unsealed_insert",
    "DROP TRIGGER IF EXISTS security_auditevent_seal_only",
    "DROP TRIGGER IF EXISTS security_auditevent_no_delete",
]

TRIGGERS = {
    1: {
        "postgresql": (POSTGRESQL_TRIGGERS_V1, POSTGRESQL_DROP_V1),
        "sqlite": (SQLITE_TRIGGERS_V1, SQLITE_DROP_V1),
    },
    2: {
        "postgresql": (POSTGRESQL_TRIGGERS_V2, POSTGRESQL_DROP_V2),
        "sqlite": (SQLITE_TRIGGERS_V2, SQLITE_DROP_V2),
    },
}
CURRENT_VERSION = 2


def trigger_sql(vendor: str, version: int = CURRENT_VERSION) -> tuple[list[str], list[str]]:
    """(create, drop) statements for a vendor; other databases are refused, not left open."""
    try:
        return TRIGGERS[version][vendor]
    except KeyError:
        raise NotImplementedError(f"No append-only audit triggers for {vendor}.") from None


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
        create, drop = trigger_sql("sqlite")
        return [*drop, *statements, *create]

    connection.ops.sql_flush = sql_flush
    connection.ops._loive_flush = True
