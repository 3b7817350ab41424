"""Events are written unsealed without any lock and chained later by one sealer (issue 15).

The triggers let an unsealed row be sealed once and changed in no other way; sealed rows never
change; nothing is deleted. verify_audit finds edits, deletions, insertions and reordering of
sealed events. The sealer chains events in commit order, and writers never wait for each other.
"""

import threading

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from security import audit, tasks
from security.audit import (
    GENESIS_HASH,
    compute_hash,
    oldest_unsealed,
    record_event,
    seal_pending,
    verify_chain,
)
from security.models import AuditChainHead, AuditEvent
from tests.security.test_audit import assert_refused, force, three_events

pytestmark = pytest.mark.django_db


def test_an_event_is_written_unsealed_and_the_sealer_chains_it():
    event = record_event("test.event", details={"n": 1})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.sequence, stored.prev_hash, stored.hash) == (None, "", None)
    report = verify_chain()
    assert (report.ok, report.checked, report.unsealed) == (True, 0, 1)

    assert seal_pending() == 1
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.sequence, stored.prev_hash) == (1, GENESIS_HASH)
    assert stored.hash == compute_hash(stored)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.sequence, head.hash) == (1, stored.hash)
    assert seal_pending() == 0, "nothing is sealed twice"
    report = verify_chain()
    assert (report.ok, report.checked, report.unsealed) == (True, 1, 0)


def test_the_sealer_chains_in_the_order_written_and_later_events_after():
    first = [record_event("test.event", details={"n": n}) for n in (1, 2)]
    seal_pending()
    later = record_event("test.event", details={"n": 3})
    seal_pending(batch_size=1)  # batches chain on from each other
    order = list(AuditEvent.objects.order_by("sequence").values_list("pk", flat=True))
    assert order == [first[0].pk, first[1].pk, later.pk]
    assert verify_chain().ok


def test_the_sealer_goes_on_batch_after_batch_and_counts_them_all():
    for n in range(5):
        record_event("test.event", details={"n": n})
    assert seal_pending(batch_size=2) == 5
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    assert seal_pending(batch_size=2) == 0


def test_of_two_first_sealers_the_second_takes_the_head_the_first_created(monkeypatch):
    """Two sealers of a new ledger both find no head; one creates it, the other's insert hits
    the primary key and it takes that head, locked (security.audit._locked_head)."""
    seal_pending()  # the first sealer created the head
    record_event("test.event")

    class HeadNotYetThere:
        """The head as the second sealer first read it: absent."""

        class objects:  # noqa: N801 (stands in for the model's manager)
            @staticmethod
            def select_for_update():
                return HeadNotYetThere.Locked()

            create = staticmethod(AuditChainHead.objects.create)

        class Locked:
            def filter(self, **lookup):
                return self

            def first(self):
                return None

            def get(self, **lookup):
                return AuditChainHead.objects.select_for_update().get(**lookup)

    monkeypatch.setattr(audit, "AuditChainHead", HeadNotYetThere)
    assert seal_pending() == 1
    monkeypatch.undo()
    assert AuditChainHead.objects.get().sequence == 1
    assert verify_chain().ok


def test_an_unsealed_event_cannot_be_edited_deleted_or_half_sealed():
    event = record_event("test.event", details={"n": 1})
    where = f"WHERE id = {event.pk}"
    assert_refused(f"UPDATE security_auditevent SET reason = 'edited' {where}")
    assert_refused(f"UPDATE security_auditevent SET details = '{{}}' {where}")
    assert_refused(f"DELETE FROM security_auditevent {where}")
    sealing = f"sequence = 1, prev_hash = '{GENESIS_HASH}', hash = '{'a' * 64}'"
    assert_refused(f"UPDATE security_auditevent SET {sealing}, reason = 'edited' {where}")
    assert_refused(f"UPDATE security_auditevent SET {sealing}, action = 'other' {where}")
    assert_refused(f"UPDATE security_auditevent SET hash = '{'a' * 64}' {where}")
    assert_refused(f"UPDATE security_auditevent SET sequence = 1 {where}")
    assert seal_pending() == 1 and verify_chain().ok


def test_a_sealed_event_cannot_be_changed_resealed_or_deleted():
    three_events()
    assert_refused("UPDATE security_auditevent SET reason = 'x' WHERE sequence = 2")
    assert_refused(f"UPDATE security_auditevent SET hash = '{'b' * 64}' WHERE sequence = 2")
    assert_refused("UPDATE security_auditevent SET sequence = 9 WHERE sequence = 2")
    assert_refused("UPDATE security_auditevent SET sequence = NULL, hash = NULL, prev_hash = ''")
    assert_refused("DELETE FROM security_auditevent WHERE sequence = 2")
    assert verify_chain().ok


def test_an_event_cannot_be_inserted_already_sealed():
    columns = "timestamp, actor_username, action, object_type, object_id, reason, details"
    values = "'2026-01-01 00:00:00', '', 'forged', '', '', '', '{}'"
    assert_refused(
        f"INSERT INTO security_auditevent ({columns}, sequence, prev_hash, hash) "
        f"VALUES ({values}, 1, '{GENESIS_HASH}', '{'c' * 64}')"
    )
    assert_refused(f"INSERT INTO security_auditevent ({columns}, prev_hash) VALUES ({values}, 'x')")


def _forge_after(event: AuditEvent, sequence: int) -> AuditEvent:
    """A made-up event placed at `sequence`, hashed properly onto `event`."""
    forged = AuditEvent(
        sequence=sequence,
        timestamp=event.timestamp,
        action="forged",
        details={"n": 0},
        prev_hash=event.hash,
    )
    forged.hash = compute_hash(forged)
    return forged


def test_an_event_inserted_in_the_middle_is_found():
    first, second, third = three_events()
    forged = _forge_after(first, 2)
    force(
        "UPDATE security_auditevent SET sequence = sequence + 100 WHERE sequence >= 2"
    )  # make room, then renumber down one above where they were
    force("UPDATE security_auditevent SET sequence = sequence - 99 WHERE sequence > 100")
    force(
        "INSERT INTO security_auditevent (sequence, timestamp, actor_username, action, "
        "object_type, object_id, reason, details, prev_hash, hash) VALUES "
        f"(2, '{forged.timestamp.isoformat()}', '', 'forged', '', '', '', '{{\"n\": 0}}', "
        f"'{forged.prev_hash}', '{forged.hash}')"
    )
    report = verify_chain()
    assert (report.broken_sequence, report.problem) == (
        3,
        "previous-hash link does not match the event before it",
    )
    with pytest.raises(CommandError, match=r"sequence 3\b"):
        call_command("verify_audit", "--no-seal")


def test_reordered_events_are_found():
    three_events()
    force("UPDATE security_auditevent SET sequence = 10 WHERE sequence = 2")
    force("UPDATE security_auditevent SET sequence = 2 WHERE sequence = 3")
    force("UPDATE security_auditevent SET sequence = 3 WHERE sequence = 10")
    report = verify_chain()
    assert (report.broken_sequence, report.problem) == (
        2,
        "previous-hash link does not match the event before it",
    )
    with pytest.raises(CommandError, match=r"sequence 2\b"):
        call_command("verify_audit")


def test_an_event_appended_past_the_head_is_found():
    first, second, third = three_events()
    forged = _forge_after(third, 4)
    force(
        "INSERT INTO security_auditevent (sequence, timestamp, actor_username, action, "
        "object_type, object_id, reason, details, prev_hash, hash) VALUES "
        f"(4, '{forged.timestamp.isoformat()}', '', 'forged', '', '', '', '{{\"n\": 0}}', "
        f"'{forged.prev_hash}', '{forged.hash}')"
    )
    report = verify_chain()
    assert (report.checked, report.broken_sequence, report.problem) == (
        4,
        4,
        "events after the head (#3) were added",
    )


@pytest.mark.parametrize(
    ("prev_hash", "hash_"),
    [("''", "'" + "d" * 64 + "'"), ("'" + GENESIS_HASH + "'", "NULL")],
    ids=["a-hash", "a-previous-hash"],
)
def test_an_event_holding_part_of_a_seal_without_its_place_is_found(prev_hash, hash_):
    """Written by hand past the triggers: no sequence, but a hash or a previous hash."""
    three_events()
    force(
        "INSERT INTO security_auditevent (timestamp, actor_username, action, object_type, "
        "object_id, reason, details, prev_hash, hash) VALUES ('2026-01-01 00:00:00', '', "
        f"'forged', '', '', '', '{{}}', {prev_hash}, {hash_})"
    )
    report = verify_chain()
    assert (report.ok, report.checked, report.broken_sequence, report.problem) == (
        False,
        3,
        4,
        "an event holds a hash but no place in the chain",
    )


def test_the_oldest_unsealed_event_is_the_one_waiting_longest():
    """What the health check reports as the sealer's lag: only events still waiting count."""
    assert oldest_unsealed() is None
    record_event("test.sealed")
    seal_pending()
    assert oldest_unsealed() is None
    first = record_event("test.first")
    record_event("test.second")
    assert oldest_unsealed() == AuditEvent.objects.get(pk=first.pk).timestamp
    seal_pending()
    assert oldest_unsealed() is None


def test_a_sealer_running_while_the_chain_is_verified_causes_no_false_alarm(monkeypatch):
    """The newest sequence is read before the head: events a sealer adds after the head was
    read lie above both and are not walked (security.audit.verify_chain)."""
    seal_pending()  # a new ledger's head, at #0
    record_event("test.waiting")

    class HeadReadThenSealed:
        """The head as read, with a sealer committing right after the read."""

        class objects:  # noqa: N801 (stands in for the model's manager)
            @staticmethod
            def filter(**lookup):
                return HeadReadThenSealed.objects

            @staticmethod
            def first():
                head = AuditChainHead.objects.filter(pk=1).first()
                monkeypatch.setattr(audit, "AuditChainHead", AuditChainHead)
                assert seal_pending() == 1
                return head

    monkeypatch.setattr(audit, "AuditChainHead", HeadReadThenSealed)
    report = verify_chain()
    assert (report.ok, report.checked, report.problem) == (True, 0, "")
    assert verify_chain().checked == 1


def test_verify_audit_seals_first_unless_told_not_to():
    three_events()
    record_event("test.event", details={"n": 4})
    call_command("verify_audit", "--no-seal")
    assert AuditEvent.objects.filter(hash__isnull=True).count() == 1
    call_command("verify_audit")
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    assert verify_chain().checked == 4


def test_seal_audit_command_and_beat_task_seal():
    record_event("test.event", details={"n": 1})
    call_command("seal_audit")
    record_event("test.event", details={"n": 2})
    tasks.seal_audit.apply()  # as a worker runs it
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    entry = settings.CELERY_BEAT_SCHEDULE["seal-audit"]
    assert entry["task"] == "security.tasks.seal_audit" and entry["schedule"] == 3


postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs two concurrent transactions"
)


class Writer(threading.Thread):
    """Writes one event in a transaction of its own, kept open until released."""

    def __init__(self, action: str):
        super().__init__(daemon=True)
        self.action, self.written, self.release = action, threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                record_event(self.action)
                self.written.set()
                assert self.release.wait(30)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            self.error = exc
            self.written.set()
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgresql_only
def test_concurrent_writers_do_not_wait_for_each_other_nor_for_the_sealer():
    writer = Writer("test.first")
    writer.start()
    try:
        assert writer.written.wait(10) and writer.error is None
        with transaction.atomic():  # another intake while the first one is still open
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            record_event("test.second")
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert seal_pending() == 1, "the sealer takes only what is committed"
    finally:
        writer.release.set()
        writer.join(10)
    assert writer.error is None
    assert seal_pending() == 1
    actions = AuditEvent.objects.order_by("sequence").values_list("action", flat=True)
    assert list(actions) == ["test.second", "test.first"], "chained in commit order"
    assert verify_chain().ok
