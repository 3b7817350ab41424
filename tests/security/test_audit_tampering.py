"""Tampering with each hashed field of an audit event is found by verify_audit.

Without re-hashing, the edited event no longer matches its own hash; re-hashed (as someone
who knows the algorithm would), the edit is found at the next event, whose previous-hash link
no longer fits. Each case would go green if the field left the hash or the link check went.
"""

import contextlib
import datetime
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from security.audit import compute_hash, event_payload, record_event, seal_pending, verify_chain
from security.db import trigger_sql
from security.models import AuditEvent

pytestmark = pytest.mark.django_db

# Every field the hash covers, and a different value for it.
TAMPERED = {
    "timestamp": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    "actor_id": 999,
    "actor_username": "someone-else",
    "actor_unit_id": 999,
    "action": "case.create",
    "object_type": "cases.Case",
    "object_id": "other-object",
    "case_uuid": uuid.UUID("00000000-0000-0000-0000-000000000001"),
    "reason": "edited",
    "details": {"n": 99},
}


@contextlib.contextmanager
def triggers_off():
    """Tamper as a database owner would: the append-only triggers switched off."""
    create, drop = trigger_sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE security_auditevent DISABLE TRIGGER USER")
        else:
            for statement in drop:
                cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE security_auditevent ENABLE TRIGGER USER")
            else:
                for statement in create:
                    cursor.execute(statement)


@pytest.fixture
def ledger(police_unit, make_user):
    user = make_user(police_unit)
    case = uuid.uuid4()
    for n in (1, 2, 3):
        record_event(f"test.event{n}", actor=user, case=case, reason=f"r{n}", details={"n": n})
    seal_pending()
    return list(AuditEvent.objects.order_by("sequence"))


def test_the_hash_covers_every_field_but_the_hash_itself():
    hashed = set(event_payload(AuditEvent(timestamp=datetime.datetime.now(datetime.UTC))))
    stored = {f.name for f in AuditEvent._meta.fields} - {"id", "hash"}
    assert hashed == stored
    assert set(TAMPERED) | {"sequence", "prev_hash"} == stored


@pytest.mark.parametrize("field", sorted(TAMPERED))
def test_an_edited_field_no_longer_matches_its_hash(ledger, field):
    with triggers_off():
        AuditEvent.objects.filter(sequence=2).update(**{field: TAMPERED[field]})
    report = verify_chain()
    assert (report.broken_sequence, report.problem) == (
        2,
        "content does not match its hash (edited)",
    )
    with pytest.raises(CommandError, match=r"sequence 2\b"):
        call_command("verify_audit")


@pytest.mark.parametrize("field", sorted(TAMPERED))
def test_an_edited_and_rehashed_field_is_found_at_the_next_link(ledger, field):
    event = AuditEvent.objects.get(sequence=2)
    setattr(event, field, TAMPERED[field])
    with triggers_off():
        AuditEvent.objects.filter(sequence=2).update(
            **{field: TAMPERED[field]}, hash=compute_hash(event)
        )
    report = verify_chain()
    assert report.broken_sequence == 3
    assert report.problem == "previous-hash link does not match the event before it"


def test_an_edited_previous_hash_is_found_at_once_rehashed_or_not(ledger):
    with triggers_off():
        AuditEvent.objects.filter(sequence=2).update(prev_hash="e" * 64)
    assert verify_chain().broken_sequence == 2
    event = AuditEvent.objects.get(sequence=2)
    with triggers_off():
        AuditEvent.objects.filter(sequence=2).update(hash=compute_hash(event))
    report = verify_chain()
    assert report.broken_sequence == 2
    assert report.problem == "previous-hash link does not match the event before it"


def test_a_renumbered_event_is_found_rehashed_or_not(ledger):
    with triggers_off():
        AuditEvent.objects.filter(sequence=3).update(sequence=4)
    assert verify_chain().broken_sequence == 3
    event = AuditEvent.objects.get(sequence=4)
    with triggers_off():
        AuditEvent.objects.filter(sequence=4).update(hash=compute_hash(event))
    report = verify_chain()
    assert (report.broken_sequence, report.problem) == (3, "event 3 is missing (next found: 4)")


def test_a_rewritten_last_event_is_found_by_the_chain_head(ledger):
    """The last event has no next link: the head row keeps its hash."""
    event = AuditEvent.objects.get(sequence=3)
    event.reason = "edited"
    with triggers_off():
        AuditEvent.objects.filter(sequence=3).update(reason="edited", hash=compute_hash(event))
    report = verify_chain()
    assert not report.ok and report.broken_sequence == 4
