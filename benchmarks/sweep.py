"""How long one deadline sweep takes among many open referrals (`manage.py bench`).

Everything is inserted inside one transaction that is rolled back at the end, so the bench
leaves nothing behind: not the referrals, nor the escalations, outbox rows or audit events.
"""

from datetime import timedelta
from itertools import islice
from time import perf_counter

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import AgencyKind, Role, Unit, UnitLevel, User
from cases.models import Case, Channel
from notifications.models import OutboxMessage
from places.models import Province
from referrals.models import Escalation, Referral
from referrals.services import due_batch, due_referrals, sweep_overdue
from rulebooks.selectors import rule_for
from security.services import create_data_key

INSERT_BATCH = 10_000


def _fixture(now) -> dict:
    province = Province.objects.create(code="bench", name="Bench", abbreviation="BN")
    units = {
        kind: Unit.objects.create(
            code=f"bench-{kind}", name=kind, kind=kind, level=UnitLevel.PROVINCE, province=province
        )
        for kind in (
            AgencyKind.BORDER_GUARD,
            AgencyKind.HEALTH_DEPARTMENT,
            AgencyKind.STEERING_COMMITTEE,
        )
    }
    users = {
        kind: User.objects.create(username=f"bench-{kind}", role=Role.SUPERVISOR, unit=unit)
        for kind, unit in units.items()
    }
    case = Case.objects.create(
        data_key=create_data_key(),
        number="BENCH-1",
        rulebook="law-2024",
        received_at=now,
        channel=Channel.OTHER,
        province=province,
        lead_unit=units[AgencyKind.BORDER_GUARD],
        created_by=users[AgencyKind.BORDER_GUARD],
    )
    return {
        "case": case,
        "data_key_id": case.data_key_id,
        "from_unit": units[AgencyKind.BORDER_GUARD],
        "to_unit": units[AgencyKind.HEALTH_DEPARTMENT],
        "sent_by": users[AgencyKind.BORDER_GUARD],
        "rule": rule_for("law-2024", "initial_reception_verification"),
    }


def _referrals(fixture: dict, total: int, due: int, now):
    for n in range(total):
        sent_at = now - timedelta(days=4) if n < due else now
        yield Referral(
            **fixture,
            to_kind=AgencyKind.HEALTH_DEPARTMENT,
            purpose="reception",
            field_groups=["identity"],
            legal_basis_id="notify-social-protection",
            justification="bench",
            sent_at=sent_at,
            due_at=sent_at + fixture["rule"].deadline,
        )


def _insert(fixture: dict, total: int, due: int, now) -> None:
    if connection.vendor == "postgresql":
        return _insert_in_database(fixture, total, due, now)
    rows = _referrals(fixture, total, due, now)
    while batch := list(islice(rows, INSERT_BATCH)):
        Referral.objects.bulk_create(batch)


def _insert_in_database(fixture: dict, total: int, due: int, now) -> None:
    """PostgreSQL: copy one template row `total - 1` times server-side (generate_series), which
    is two orders of magnitude faster than building a million model instances in Python."""
    template = Referral.objects.bulk_create([next(_referrals(fixture, 1, min(due, 1), now))])[0]
    late = now - timedelta(days=4)
    computed = {
        "uuid": "gen_random_uuid()",
        "sent_at": "CASE WHEN n <= %(due)s THEN %(late)s::timestamptz ELSE %(now)s END",
        "due_at": "CASE WHEN n <= %(due)s THEN %(late)s::timestamptz ELSE %(now)s END"
        " + %(deadline)s",
    }
    columns = [f.column for f in Referral._meta.concrete_fields if f.column != "id"]
    values = [computed.get(column, f't."{column}"') for column in columns]
    quoted = ", ".join(f'"{column}"' for column in columns)
    sql = (
        f'INSERT INTO "{Referral._meta.db_table}" ({quoted}) SELECT {", ".join(values)} '  # noqa: S608
        f'FROM "{Referral._meta.db_table}" t, generate_series(2, %(total)s) n '
        "WHERE t.id = %(template)s"
    )
    params = {
        "due": due,
        "late": late,
        "now": now,
        "deadline": fixture["rule"].deadline,
        "total": total,
        "template": template.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _bare_update(now) -> float:
    """Seconds of one bare UPDATE marking the due referrals, undone: the sweep's baseline."""
    with transaction.atomic():
        started = perf_counter()
        due_referrals(now).update(overdue_at=now)
        took = perf_counter() - started
        transaction.set_rollback(True)
    return took


def _escalations_and_messages() -> tuple[int, int]:
    return Escalation.objects.count(), OutboxMessage.objects.filter(sent_at__isnull=True).count()


def bench_sweep(total: int, due: int) -> dict:
    """Insert `total` open referrals of which `due` are past due, time one sweep_overdue(),
    show the plan of its query (the partial index on due_at on PostgreSQL), roll back."""
    now = timezone.now()
    with transaction.atomic():
        sweep_overdue(now)  # what the demo already had due: the timed sweep sees only ours
        started = perf_counter()
        _insert(_fixture(now), total, due, now)
        inserted = perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Referral._meta.db_table}")
        plan = due_batch(now, 500).explain()
        bare = _bare_update(now)
        # What the timed sweep adds: the untimed one above escalated what the volume had due.
        escalations, messages = _escalations_and_messages()
        swept = perf_counter()
        marked = sweep_overdue(now)
        done = perf_counter()
        result = {
            "database": connection.vendor,
            "total": total,
            "due": due,
            "marked": marked,
            **{
                key: after - before
                for key, before, after in zip(
                    ("escalations", "outbox_messages"),
                    (escalations, messages),
                    _escalations_and_messages(),
                    strict=True,
                )
            },
            "insert_seconds": round(inserted - started, 3),
            "sweep_seconds": round(done - swept, 3),
            "bare_seconds": round(bare, 3),
            "sweep_index_used": "referral_open_due" in plan,
            "plan": plan,
        }
        transaction.set_rollback(True)
    return result
