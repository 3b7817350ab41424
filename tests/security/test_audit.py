"""The audit ledger: chained hashes, gapless sequences, triggers, verify_audit, sign-in events."""

import datetime
import hashlib
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from security.audit import (
    GENESIS_HASH,
    AuditChainError,
    ChainReport,
    audit_head_problem,
    canonical_json,
    compute_hash,
    event_payload,
    new_event,
    record_event,
    seal_pending,
    verify_chain,
)
from security.db import trigger_sql
from security.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db

HANOI = datetime.timezone(datetime.timedelta(hours=7))


def three_events(actor=None) -> list[AuditEvent]:
    """Three events, sealed."""
    for n in (1, 2, 3):
        record_event(f"test.event{n}", actor=actor, details={"n": n})
    seal_pending()
    return list(AuditEvent.objects.order_by("sequence"))


def test_events_chain_and_are_gapless(police_unit, make_user):
    user = make_user(police_unit)
    first, second, third = three_events(actor=user)
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert (first.actor_id, first.actor_username, first.actor_unit_id) == (
        user.pk,
        user.username,
        police_unit.pk,
    )
    stored = AuditEvent.objects.get(sequence=2)
    assert compute_hash(stored) == stored.hash
    assert verify_chain().ok and verify_chain().checked == 3


def test_a_misspelt_keyword_is_refused_and_nothing_is_written():
    """record_event and new_event take their keywords as one typed list (EventAbout); one not
    in it is a caller's bug, refused as a signature refuses it, not an event without its case."""
    with pytest.raises(TypeError, match="cases"):
        record_event("test.event", cases=uuid.uuid4())
    with pytest.raises(TypeError, match="detail"):
        new_event("test.event", detail={"n": 1})
    assert not AuditEvent.objects.exists()
    about = uuid.uuid4()
    event = record_event("test.event", case=about, reason="r", details={"n": 1})
    assert (event.case_uuid, event.reason, event.details, event.actor_id) == (
        about,
        "r",
        {"n": 1},
        None,
    )


class SystemAccount:
    """An actor signed in that belongs to no unit (as a system job would be)."""

    pk, is_authenticated = 9, True

    def get_username(self) -> str:
        return "system"


def test_an_actor_is_recorded_only_when_signed_in_and_its_unit_only_if_it_has_one():
    for nobody in (None, AnonymousUser(), object()):
        event = record_event("test.event", actor=nobody)
        assert (event.actor_id, event.actor_username, event.actor_unit_id) == (None, "", None)
    event = record_event("test.event", actor=SystemAccount())
    assert (event.actor_id, event.actor_username, event.actor_unit_id) == (9, "system", None)


def test_object_and_case_are_stored_as_pseudonymous_ids(make_victim):
    victim = make_victim()
    event = record_event("identity.read", case=victim, obj=victim, reason="court order 12/2026")
    assert event.object_type == "security_testapp.Victim"
    assert event.object_id == str(victim.uuid)
    assert event.case_uuid == victim.uuid
    assert "Nguy" not in str(AuditEvent.objects.values().get(pk=event.pk))


def test_an_event_keeps_its_reason_its_object_by_id_and_its_moment_in_utc(province):
    event = record_event("identity.read", reason="court order 12/2026")
    assert (event.reason, event.object_type, event.object_id) == ("court order 12/2026", "", "")
    assert event.timestamp.tzinfo is datetime.UTC
    assert record_event("case.read").reason == ""
    # An object without a uuid is named by its primary key.
    event = record_event("place.read", obj=province)
    assert (event.object_type, event.object_id) == ("places.Province", str(province.pk))


def test_an_object_is_audited_only_once_saved(make_victim):
    from tests.security.testapp.models import Victim

    with pytest.raises(ValueError) as refused:
        record_event("identity.read", obj=Victim(uuid=None))
    assert str(refused.value) == "Audit an object only after it is saved."


def test_event_joins_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event("case.create")
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
    record_event("case.create")
    assert seal_pending() == 1 and AuditEvent.objects.get().sequence == 1


def test_secrets_are_refused_in_details():
    with pytest.raises(ValueError, match="secret"):
        record_event("auth.login", details={"form": {"password": "hunter2"}})
    with pytest.raises(ValueError, match="secret"):  # inside a list too
        record_event("auth.login", details={"tries": [{"otp": "123456"}]})


def assert_refused(sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def test_update_and_delete_are_refused_by_the_database():
    three_events()
    assert_refused("UPDATE security_auditevent SET reason = 'x' WHERE sequence = 2")
    assert_refused("DELETE FROM security_auditevent WHERE sequence = 3")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(action="case.delete")
    with pytest.raises(PermissionError):
        AuditEvent.objects.get(sequence=1).delete()
    assert verify_chain().ok


def force(sql: str) -> None:
    """Tamper as a database owner would: switch the triggers off around one statement."""
    create, drop = trigger_sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE security_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql)
            cursor.execute("ALTER TABLE security_auditevent ENABLE TRIGGER USER")
        else:
            for statement in drop:
                cursor.execute(statement)
            cursor.execute(sql)
            for statement in create:
                cursor.execute(statement)


@pytest.mark.parametrize(
    ("tampering", "broken"),
    [
        ("UPDATE security_auditevent SET reason = 'edited' WHERE sequence = 2", 2),
        ("DELETE FROM security_auditevent WHERE sequence = 2", 2),
        ("DELETE FROM security_auditevent WHERE sequence = 3", 3),
        ("UPDATE security_auditevent SET prev_hash = hash WHERE sequence = 3", 3),
    ],
)
def test_verify_audit_names_the_first_broken_event(tampering, broken):
    three_events()
    call_command("verify_audit")
    force(tampering)
    with pytest.raises(CommandError, match=f"sequence {broken}\\b"):
        call_command("verify_audit")


def test_rewriting_a_hash_is_found_at_the_event_and_a_rehashed_edit_at_the_next_link():
    events = three_events()
    force(f"UPDATE security_auditevent SET hash = '{'f' * 64}' WHERE sequence = 2")
    report = verify_chain()
    assert (report.broken_sequence, report.problem) == (
        2,
        "content does not match its hash (edited)",
    )
    edited = AuditEvent.objects.get(sequence=2)
    edited.reason = "edited"
    force(
        f"UPDATE security_auditevent SET reason = 'edited', hash = '{compute_hash(edited)}' "
        "WHERE sequence = 2"
    )
    report = verify_chain()
    assert report.broken_sequence == 3 and events[2].prev_hash != compute_hash(edited)
    assert report.problem == "previous-hash link does not match the event before it"


def test_sign_in_success_and_failure_are_audited_without_password(client, police_unit, make_user):
    make_user(police_unit, username="officer")
    client.post(reverse("login"), {"username": "officer", "password": "wrong-Secret-99"})
    client.post(reverse("login"), {"username": "officer", "password": "x-Test-pass-42"})
    failed, login = AuditEvent.objects.order_by("sequence")
    assert failed.action == "auth.login_failed" and failed.details["username"] == "officer"
    assert login.action == "auth.login" and login.actor_username == "officer"
    everything = str(list(AuditEvent.objects.values()))
    assert "wrong-Secret-99" not in everything and "x-Test-pass-42" not in everything


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL flushes with TRUNCATE")
def test_flush_between_transactional_tests_empties_the_ledger():
    """SQLite flushes with DELETE, which the triggers refuse: the flush hook must let it."""
    three_events()
    call_command("flush", verbosity=0, interactive=False)
    assert not AuditEvent.objects.exists()
    record_event("case.create")
    assert seal_pending() == 1 and AuditEvent.objects.get().sequence == 1
    assert_refused("DELETE FROM security_auditevent")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent writers")
def test_concurrent_writers_keep_the_chain_gapless():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def write(n: int) -> None:
        try:
            for i in range(5):
                with transaction.atomic():
                    record_event("test.concurrent", details={"writer": n, "i": i})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    assert seal_pending() == 40
    report = verify_chain()
    assert report.ok and report.checked == 40


def test_a_missing_chain_head_stops_writers_and_fails_verification():
    from security.audit import AuditChainError
    from security.models import AuditChainHead

    three_events()
    AuditChainHead.objects.all().delete()
    record_event("case.create")  # writers never touch the head
    with pytest.raises(AuditChainError):
        seal_pending()
    assert verify_chain().broken_sequence == 4


def test_the_canonical_form_the_hashes_cover_never_changes():
    """Events written before an upgrade must still verify after it: sorted keys, no spaces,
    UTF-8 text as is."""
    assert canonical_json({"b": [1, "Việt"], "a": None}) == '{"a":null,"b":[1,"Việt"]}'


def test_the_hashed_form_of_an_event_never_changes():
    """Events sealed before an upgrade must still verify after it: the moment in UTC, no case
    as null, and the hash of that form."""
    event = AuditEvent(
        sequence=7,
        timestamp=datetime.datetime(2025, 11, 3, 9, 30, tzinfo=HANOI),
        actor_id=3,
        actor_username="demo-police",
        actor_unit_id=5,
        action="case.read",
        object_type="cases.Case",
        object_id="00000000-0000-0000-0000-000000000042",
        case_uuid=None,
        reason="",
        details={"groups": ["identity"]},
        prev_hash=GENESIS_HASH,
    )
    assert event_payload(event) == {
        "sequence": 7,
        "timestamp": "2025-11-03T02:30:00+00:00",
        "actor_id": 3,
        "actor_username": "demo-police",
        "actor_unit_id": 5,
        "action": "case.read",
        "object_type": "cases.Case",
        "object_id": "00000000-0000-0000-0000-000000000042",
        "case_uuid": None,
        "reason": "",
        "details": {"groups": ["identity"]},
        "prev_hash": GENESIS_HASH,
    }
    canonical = (
        '{"action":"case.read","actor_id":3,"actor_unit_id":5,"actor_username":"demo-police",'
        '"case_uuid":null,"details":{"groups":["identity"]},'
        '"object_id":"00000000-0000-0000-0000-000000000042","object_type":"cases.Case",'
        f'"prev_hash":"{GENESIS_HASH}","reason":"","sequence":7,'
        '"timestamp":"2025-11-03T02:30:00+00:00"}'
    )
    assert compute_hash(event) == hashlib.sha256(canonical.encode()).hexdigest()


def test_details_keep_ids_and_dates_as_text_and_refuse_what_json_cannot_say():
    case_id = uuid.UUID("00000000-0000-0000-0000-000000000042")
    event = record_event("case.create", details={"case": case_id, "on": datetime.date(2025, 11, 3)})
    event.refresh_from_db()
    assert event.details == {"case": str(case_id), "on": "2025-11-03"}
    with pytest.raises(ValueError):
        record_event("case.create", details={"score": float("nan")})


def test_details_keep_moments_in_iso_form_and_name_what_they_refuse():
    """A moment is stored as ISO 8601 (with its "T"), not as Python prints it; a type that
    JSON cannot say is refused by name."""
    moment = datetime.datetime(2025, 11, 3, 9, 30, tzinfo=datetime.UTC)
    event = record_event("referral.send", details={"due_at": moment})
    event.refresh_from_db()
    assert event.details == {"due_at": "2025-11-03T09:30:00+00:00"}
    with pytest.raises(TypeError) as refused:
        record_event("case.create", details={"ids": {1, 2}})
    assert str(refused.value) == "set is not allowed in audit details"


def test_an_empty_ledger_verifies():
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 0)


def test_a_missing_head_reports_how_far_the_chain_held():
    from security.models import AuditChainHead

    three_events()
    AuditChainHead.objects.all().delete()
    report = verify_chain()
    assert (report.checked, report.broken_sequence) == (3, 4)
    assert report.problem == "events after 3 are missing (head: 0)"


def test_a_missing_head_stops_the_sealer_with_a_message_that_says_what_to_do():
    three_events()
    AuditChainHead.objects.all().delete()
    record_event("case.create")  # writers never touch the head: the sealer finds it missing
    with pytest.raises(AuditChainError) as refused:
        seal_pending()
    assert str(refused.value) == "The audit chain head is missing; run verify_audit."
    assert AuditEvent.objects.filter(hash__isnull=True).count() == 1
    assert not AuditChainHead.objects.exists()


def test_a_broken_link_reports_how_many_events_held_before_it():
    three_events()
    force("UPDATE security_auditevent SET reason = 'edited' WHERE sequence = 2")
    report = verify_chain()
    assert (report.ok, report.checked, report.broken_sequence) == (False, 1, 2)


@pytest.mark.parametrize(
    ("broken_sequence", "problem", "ok"),
    [(None, "", True), (4, "", False), (None, "head missing", False), (4, "edited", False)],
)
def test_a_chain_report_is_ok_only_without_a_broken_event_and_a_problem(
    broken_sequence, problem, ok
):
    assert ChainReport(3, broken_sequence, problem).ok is ok


def test_the_head_check_finds_nothing_wrong_with_an_empty_or_intact_ledger():
    assert audit_head_problem() == ""
    record_event("case.create")  # creates the head
    assert audit_head_problem() == ""
    three_events()
    assert audit_head_problem() == ""


def test_the_head_check_names_a_missing_head_and_a_head_behind_the_newest_event():

    AuditChainHead.objects.all().delete()
    assert audit_head_problem() == ""  # a new ledger: the first writer creates the head
    three_events()
    force("DELETE FROM security_auditevent WHERE sequence = 3")
    assert audit_head_problem() == "the audit chain head (#3) does not match the newest event"
    AuditChainHead.objects.update(sequence=2)  # the right number, the wrong hash
    assert audit_head_problem() == "the audit chain head (#2) does not match the newest event"
    head = AuditEvent.objects.get(sequence=2)
    AuditChainHead.objects.update(hash=head.hash)
    assert audit_head_problem() == ""
    AuditChainHead.objects.all().delete()
    assert audit_head_problem() == "the audit chain head is missing"


def test_the_head_check_of_a_ledger_emptied_behind_its_head():
    three_events()
    force("DELETE FROM security_auditevent")
    assert audit_head_problem() == "the audit chain head (#3) does not match the newest event"
