"""The intake service called directly (cases.services.intake): the idempotent replay, what an
intake stores, and what a report linked to a case gives the unit that took it.

Direct calls, no HTTP: these are the first tests `make mutate` runs for the intake's mutants
(tests/mutation_selection.py), and each one is written to fail when one rule of the service
is changed (docs/mutation.md).
"""

from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases.inputs import IntakeData, PersonData
from cases.metrics import INTAKES_CREATED
from cases.models import Case, CaseHolding, Intake, PersonRole, SupportService
from cases.services import create_intake
from config.errors import IdempotencyKeyReused, InvalidInput
from places.models import VIETNAM_TZ
from rulebooks import selectors as rulebook_selectors
from rulebooks.models import Rulebook, SupportServiceKind
from security.idempotency import key_digest
from security.models import AuditEvent
from tests.cast import cast_user
from workflows.models import PendingProcessSync
from workflows.process import CaseProcess
from workflows.services import sync_pending_processes

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2025, 9, 14, 9, 30, tzinfo=VIETNAM_TZ)


def _report(narrative: str = "Cuộc gọi: em gái bị đưa sang Trung Quốc", **extra) -> IntakeData:
    victim = extra.pop("victim", PersonData(full_name="Giàng Thị Mỷ", languages=["vi"]))
    return IntakeData(
        channel="hotline", victim=victim, narrative=narrative, received_at=RECEIVED, **extra
    )


def _actions(case: Case) -> list[tuple[str, int | None, dict]]:
    events = AuditEvent.objects.filter(case_uuid=case.uuid).order_by("pk")
    return [(e.action, e.actor_id, e.details) for e in events]


# --- idempotency -----------------------------------------------------------------------------


def test_without_a_key_every_call_is_a_new_intake(demo_org):
    hotline = cast_user("demo-hotline")
    first = create_intake(hotline, _report())
    second = create_intake(hotline, _report())
    assert not second.replayed
    assert second.intake.pk != first.intake.pk
    assert Intake.objects.filter(idempotency_key="").count() == 2


def test_the_stored_key_is_the_digest_of_the_user_and_the_key(demo_org):
    hotline = cast_user("demo-hotline")
    result = create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
    stored = Intake.objects.get(pk=result.intake.pk)
    assert (stored.idempotency_key, stored.idempotency_fingerprint) == (
        key_digest(hotline.pk, "k-1"),
        "f-1",
    )


def test_a_replay_takes_no_case_number_and_stores_nothing(demo_org):
    hotline = cast_user("demo-hotline")
    first = create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
    again = create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
    assert again.replayed
    assert (again.intake.pk, again.case.pk, again.created_case) == (
        first.intake.pk,
        first.case.pk,
        True,
    )
    assert Intake.objects.count() == 1
    # Looked up before anything is reserved: the next case takes the very next number.
    after = create_intake(hotline, _report())
    assert after.case.number == first.case.number[:-6] + "000002"


def test_another_key_of_the_same_user_is_another_intake(demo_org):
    hotline = cast_user("demo-hotline")
    first = create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
    other = create_intake(
        hotline, _report("Một cuộc gọi khác"), idempotency_key="k-2", fingerprint="f-2"
    )
    assert not other.replayed
    assert other.intake.pk != first.intake.pk


def test_a_key_recorded_without_a_fingerprint_replays_whatever_the_body(demo_org):
    """Intakes stored before fingerprints were kept have none: their key still replays."""
    hotline = cast_user("demo-hotline")
    first = create_intake(hotline, _report(), idempotency_key="k-1")
    assert Intake.objects.get(pk=first.intake.pk).idempotency_fingerprint == ""
    again = create_intake(hotline, _report("Khác"), idempotency_key="k-1", fingerprint="f-2")
    assert again.replayed
    assert again.intake.pk == first.intake.pk


def test_a_reused_key_is_refused_with_its_message(demo_org):
    hotline = cast_user("demo-hotline")
    create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
    with translation.override("en"), pytest.raises(IdempotencyKeyReused) as refused:
        create_intake(hotline, _report("Khác"), idempotency_key="k-1", fingerprint="f-2")
    assert refused.value.detail == "This Idempotency-Key was already used for a different request."
    assert refused.value.code == "idempotency_key_reused"


def test_the_replay_looks_among_the_users_own_intakes_whatever_the_digest(demo_org):
    """Defence in depth: the digest names the user, and so does the lookup. An intake of
    another user stored under this user's digest (a collision, or a row moved by hand) is
    never answered to this user."""
    hotline, border = cast_user("demo-hotline"), cast_user("demo-borderguard")
    theirs = create_intake(border, _report("Của biên phòng"))
    Intake.objects.filter(pk=theirs.intake.pk).update(idempotency_key=key_digest(hotline.pk, "k-1"))
    mine = create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
    assert not mine.replayed
    assert mine.intake.pk != theirs.intake.pk
    assert mine.intake.received_by == hotline


def test_a_concurrent_request_with_the_same_key_gets_the_first_answer(demo_org, monkeypatch):
    """Two requests with one key, the second past the replay check before the first commits:
    the second hits the unique key, then answers the first intake (the IntegrityError path)."""
    hotline = cast_user("demo-hotline")
    real_rulebook_for = rulebook_selectors.rulebook_for
    first = []

    def other_request_commits_meanwhile(received_at):
        if not first:  # once: the other request's own call passes through
            first.append(None)
            first[0] = create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
        return real_rulebook_for(received_at)

    monkeypatch.setattr(rulebook_selectors, "rulebook_for", other_request_commits_meanwhile)
    rulebook_selectors.forget_rulebooks()  # no rulebook remembered from before
    second = create_intake(hotline, _report(), idempotency_key="k-1", fingerprint="f-1")
    assert second is not None and second.replayed
    assert (second.intake.pk, second.case.pk) == (first[0].intake.pk, first[0].case.pk)
    assert second.possible_duplicates == []
    assert Intake.objects.count() == 1


# --- what an intake stores and sets going -------------------------------------------------------


def test_an_intake_stores_the_report_its_reporter_and_the_audit_of_opening(demo_org):
    hotline = cast_user("demo-hotline")
    reporter = PersonData(full_name="Người gọi", phone="0912345678")
    result = create_intake(hotline, _report(reporter=reporter))
    intake = Intake.objects.get(pk=result.intake.pk)
    assert (intake.channel, intake.narrative, intake.received_at) == (
        "hotline",
        "Cuộc gọi: em gái bị đưa sang Trung Quốc",
        RECEIVED,
    )
    assert (intake.received_by, intake.unit, intake.linked_as_duplicate) == (
        hotline,
        hotline.unit,
        False,
    )
    assert intake.reporter.role == PersonRole.REPORTER
    assert intake.reporter.full_name == "Người gọi"
    assert _actions(result.case) == [
        ("case.create", hotline.pk, {"rulebook": "law-2024", "presumed_minor": False}),
        ("intake.create", hotline.pk, {"linked": False, "duplicates": 0}),
    ]
    assert PendingProcessSync.objects.filter(case=result.case).exists()  # for the dispatcher
    sync_pending_processes()
    assert CaseProcess.active_for(result.case).count() == 1


def test_a_victim_without_vietnamese_is_offered_interpretation_by_the_unit_at_once(demo_org):
    police = cast_user("demo-police")
    victim = PersonData(full_name="Noy", languages=["lo"])
    result = create_intake(police, _report(victim=victim))
    service = SupportService.objects.get(case=result.case)
    assert (service.kind, service.provider_unit, service.requested_at, service.recorded_by) == (
        SupportServiceKind.INTERPRETATION,
        police.unit,
        RECEIVED,
        police,
    )
    assert ("service.request", police.pk, {"kind": service.kind}) in _actions(result.case)


def test_a_victim_speaking_vietnamese_is_offered_none(demo_org):
    result = create_intake(cast_user("demo-police"), _report())
    assert not SupportService.objects.filter(case=result.case).exists()


def test_the_counter_counts_a_committed_intake_by_whether_it_opened_a_case(
    demo_org, django_capture_on_commit_callbacks
):
    police = cast_user("demo-police")

    def count(opened: str) -> float:
        return INTAKES_CREATED.labels(channel="hotline", opened_case=opened)._value.get()

    opened, linked = count("true"), count("false")
    with django_capture_on_commit_callbacks(execute=True):
        case = create_intake(police, _report()).case
    assert (count("true"), count("false")) == (opened + 1, linked)
    with django_capture_on_commit_callbacks(execute=True):
        create_intake(police, _report("Thêm tin", link_to_case=case))
    assert (count("true"), count("false")) == (opened + 1, linked + 1)


# --- a report linked to a case -------------------------------------------------------------------


def test_a_caseworker_linking_a_report_gets_a_hold_from_when_it_was_received(demo_org):
    hotline, police = cast_user("demo-hotline"), cast_user("demo-police")
    case = create_intake(hotline, _report()).case
    later = RECEIVED + timedelta(days=2)
    data = _report("Công an nhận thêm tin", link_to_case=case)
    data.received_at = later
    result = create_intake(police, data)
    assert (result.case, result.created_case) == (case, False)
    assert result.intake.linked_as_duplicate
    hold = CaseHolding.objects.get(case=case, unit=police.unit)
    assert (hold.basis, hold.since, hold.until) == (CaseHolding.Basis.RECEIVED, later, None)
    # Linking again keeps the one hold.
    create_intake(police, data)
    assert CaseHolding.objects.filter(case=case, unit=police.unit).count() == 1


def test_a_linked_report_opens_nothing_new(demo_org):
    """No case number, no case.create, no second process, no second offer of an interpreter."""
    police = cast_user("demo-police")
    victim = PersonData(full_name="Noy", languages=["lo"])
    opened = create_intake(police, _report(victim=victim))
    case = opened.case
    events_before = len(_actions(case))
    linked = create_intake(police, _report("Thêm tin", victim=victim, link_to_case=case))
    assert _actions(case)[events_before:] == [
        ("intake.create", police.pk, {"linked": True, "duplicates": 0})
    ]
    assert linked.intake.linked_as_duplicate
    sync_pending_processes()
    assert CaseProcess.active_for(case).count() == 1
    assert SupportService.objects.filter(case=case).count() == 1
    after = create_intake(police, _report())
    assert after.case.number == case.number[:-6] + "000002"


def test_the_hotline_linking_a_call_gets_no_hold(demo_org):
    """The hotline takes calls and hands them over: a further call does not give it a hold."""
    hotline, police = cast_user("demo-hotline"), cast_user("demo-police")
    case = create_intake(police, _report()).case
    create_intake(hotline, _report("Gọi lại", link_to_case=case))
    assert not CaseHolding.objects.filter(case=case, unit=hotline.unit).exists()


def test_a_rulebook_saved_is_seen_by_the_next_intake_at_once(demo_org):
    """The governing rulebook is remembered for a minute, but not past a change of it."""
    hotline = cast_user("demo-hotline")
    create_intake(hotline, _report())  # law-2024 governs RECEIVED, now remembered
    rulebook = Rulebook.objects.get(code="law-2024")
    rulebook.effective_until = RECEIVED.date() - timedelta(days=1)
    rulebook.save()
    with pytest.raises(InvalidInput) as refused:
        create_intake(hotline, _report())
    assert refused.value.code == "no_rulebook"


# --- the case number's counter ----------------------------------------------------------------


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _counter_updates(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].startswith("UPDATE cases_casenumbersequence")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_counter_alone_commits_without_waiting_for_the_disk(demo_org):
    """The counter's own transaction (autocommit) does not wait for an fsync, so the next
    intake does not queue behind it (issue 15); the setting ends with that statement."""
    hotline = cast_user("demo-hotline")
    with CaptureQueriesContext(connection) as captured:
        first = create_intake(hotline, _report())
    updates = _counter_updates(captured)  # the first of the year: it creates the counter
    assert updates and all("set_config('synchronous_commit', 'off', true)" in u for u in updates)
    assert _synchronous_commit() == "on"
    second = create_intake(hotline, _report())
    assert int(second.case.number[-6:]) == int(first.case.number[-6:]) + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_within_a_callers_transaction_its_commit_stays_synchronous(demo_org):
    """A hotline call opens its case within its own transaction: that transaction, the
    intake's, must still wait for the disk when it commits."""
    hotline = cast_user("demo-hotline")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        create_intake(hotline, _report())
        assert _synchronous_commit() == "on"
    assert "synchronous_commit" not in _counter_updates(captured)[0]
