"""The process dispatcher (issue 15): an intake or a transition leaves its case's process to a
transactional outbox row (workflows.PendingProcessSync), which the dispatcher run by Celery beat
every few seconds turns into the process's tasks, once, whatever fails in between."""

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import PROCESS, STATUS

from cases import services as case_services
from cases.models import CaseHolding
from workflows import services as workflow_services
from workflows.flows import start_runs
from workflows.models import PendingProcessSync
from workflows.process import CaseProcess
from workflows.services import open_tasks, sync_pending_processes, tasks_for_user
from workflows.tasks import sync_processes

pytestmark = pytest.mark.django_db


def _intake(hotline, name: str = "Nguyễn Thị A"):
    data = case_services.IntakeData(
        channel="hotline", victim=case_services.PersonData(full_name=name)
    )
    return case_services.create_intake(hotline, data).case


def _stages(case) -> list[str]:
    return [task.flow_task.name for task in open_tasks(case)]


def test_an_intake_leaves_its_process_to_the_dispatcher(cast):
    case = _intake(cast.hotline)
    assert PendingProcessSync.objects.filter(case=case).count() == 1
    assert not CaseProcess.active_for(case).exists()  # in between: no task yet
    assert not [t for t in tasks_for_user(cast.hotline) if t.case.pk == case.pk]

    assert sync_pending_processes() == 1
    assert not PendingProcessSync.objects.exists()
    assert _stages(case) == ["intake"]
    assert [t.case.pk for t in tasks_for_user(cast.hotline)] == [case.pk]
    assert sync_pending_processes() == 0  # nothing twice


def test_a_failing_sync_keeps_its_row_and_the_others_go_on(cast, monkeypatch):
    broken, fine = _intake(cast.hotline, "Trần Văn B"), _intake(cast.hotline, "Lê Thị C")
    sync = workflow_services._sync_followed

    def fails_for_one(case):
        if case.pk == broken.pk:
            raise RuntimeError("Trần Văn B")  # a value of the case, in the error's text
        return sync(case)

    def fails_with_one(cases):
        if broken.pk in [case.pk for case, _change in cases]:
            raise RuntimeError("Trần Văn B")
        return start_runs(cases)

    monkeypatch.setattr(workflow_services, "_sync_followed", fails_for_one)
    monkeypatch.setattr(workflow_services, "start_runs", fails_with_one)
    assert sync_pending_processes() == 1
    row = PendingProcessSync.objects.get()
    assert (row.case_id, row.attempts, row.last_error) == (broken.pk, 1, "RuntimeError")
    assert not CaseProcess.active_for(broken).exists()
    assert _stages(fine) == ["intake"]

    monkeypatch.undo()  # the next run, the fault gone
    assert sync_pending_processes() == 1
    assert _stages(broken) == ["intake"]
    assert not PendingProcessSync.objects.exists()


def test_changes_between_two_runs_end_in_the_stage_the_case_is_in(cast):
    """A new case moved on, closed and reopened before the dispatcher ran gets one run, in the
    stage it is in."""
    hotline = cast.hotline
    case = _intake(hotline)
    case_services.record_screening(hotline, case, indicators=["deception"], purposes=[])
    case = case_services.transition_case(hotline, case, "start_verification")
    case = case_services.transition_case(
        hotline, case, "close", closure_reason="declined_support", reason="Declined"
    )
    case_services.transition_case(hotline, case, "reopen", reason="New facts")
    assert PendingProcessSync.objects.filter(case=case).count() == 1

    assert sync_pending_processes() == 1
    assert CaseProcess.objects.filter(artifact_object_id=case.pk).count() == 1
    assert _stages(case) == ["verification"]


def test_a_closure_between_two_runs_ends_the_run_and_a_reopening_starts_another(cast):
    police = cast.police
    case = _intake(cast.hotline)
    CaseHolding.objects.create(
        case=case, unit=police.unit, basis="referral", since=case.received_at
    )
    case_services.record_screening(cast.hotline, case, indicators=["deception"], purposes=[])
    case_services.transition_case(cast.hotline, case, "start_verification")
    sync_pending_processes()
    first = CaseProcess.active_for(case).get()
    [verification] = open_tasks(case)

    case = case_services.transition_case(
        police, case, "close", closure_reason="declined_support", reason="Declined"
    )
    case_services.transition_case(cast.hotline, case, "reopen", reason="New facts")
    sync_pending_processes()

    first.refresh_from_db()
    verification.refresh_from_db()
    assert first.status == PROCESS.DONE  # ended at the closure, as if synced then
    assert (verification.status, verification.owner) == (STATUS.DONE, police)
    assert verification.data["transition"] == "close"
    second = CaseProcess.active_for(case).get()
    assert second != first
    assert _stages(case) == ["verification"]


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dispatcher_alone_commits_without_waiting_for_the_disk(cast, monkeypatch):
    """Its cases are free again without waiting for an fsync; within a caller's transaction
    the commit is the caller's, and waits for the disk."""
    _intake(cast.hotline)
    seen = []
    sync = workflow_services._sync_followed

    def seeing(case):
        seen.append(_synchronous_commit())
        return sync(case)

    def seeing_in_bulk(cases):
        seen.append(_synchronous_commit())
        return start_runs(cases)

    monkeypatch.setattr(workflow_services, "_sync_followed", seeing)
    monkeypatch.setattr(workflow_services, "start_runs", seeing_in_bulk)
    assert sync_pending_processes() == 1
    assert _synchronous_commit() == "on"  # for the dispatcher's transaction only
    _intake(cast.hotline)
    with transaction.atomic():
        assert sync_pending_processes() == 1
    assert seen == ["off", "on"]


def _queries_to_sync(hotline, count: int, start: int) -> int:
    for n in range(count):
        _intake(hotline, f"Người {start + n}")
    with CaptureQueriesContext(connection) as captured:
        assert sync_pending_processes() == count
    return len(captured.captured_queries)


def test_syncing_n_cases_costs_the_same_few_queries_per_case_whatever_n(cast):
    """A batch of cases per transaction (issue 15): the lock, the reads and the outbox rows'
    deletion are per batch, and so are the new cases' runs, started in bulk (flows.start_runs:
    eleven queries per case before, twenty before that)."""
    _queries_to_sync(cast.hotline, 1, 100)  # the content type of a case, cached once
    few = _queries_to_sync(cast.hotline, 3, 0)
    many = _queries_to_sync(cast.hotline, 9, 10)
    # per batch: its transaction's two, holding the processes, reading the cases, a
    # savepoint's two, the runs, their tasks and their links, the deletion of the outbox rows
    assert (few, many) == (10, 10)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_at_once_sync_each_case_once(cast):
    cases = [_intake(cast.hotline, f"Người {n}") for n in range(12)]
    synced = []

    def dispatcher():
        synced.append(sync_pending_processes(batch_size=3))
        connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    synced.append(sync_pending_processes())  # what a dispatcher skipped while the other held it
    assert sum(synced) == 12
    assert not PendingProcessSync.objects.exists()
    for case in cases:
        assert CaseProcess.objects.filter(artifact_object_id=case.pk).count() == 1
        assert _stages(case) == ["intake"]


def _pausing_dispatcher(monkeypatch) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """A dispatcher run in a thread that stops once it has read its cases, before it syncs
    them, until `resume` is set; `paused` is set when it stops there."""
    paused, resume = threading.Event(), threading.Event()
    sync = workflow_services._sync_followed

    def syncing_once_resumed(case):
        paused.set()
        assert resume.wait(10)
        return sync(case)

    monkeypatch.setattr(workflow_services, "_sync_followed", syncing_once_resumed)

    def run():
        try:
            sync_pending_processes()
        finally:
            paused.set()
            connection.close()

    return threading.Thread(target=run), paused, resume


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_made_while_the_dispatcher_syncs_its_case_neither_waits_nor_is_lost(
    cast, monkeypatch
):
    """The transition does not wait for the dispatcher's batch (it would time out here), and
    the outbox row it marked survives the batch: the next run syncs the change."""
    case = _intake(cast.hotline)
    dispatcher, paused, resume = _pausing_dispatcher(monkeypatch)
    dispatcher.start()
    assert paused.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            case_services.transition_case(
                cast.hotline, case, "close", closure_reason="declined_support"
            )
    finally:
        resume.set()
        dispatcher.join()
    assert _stages(case) == ["intake"]  # the batch synced the stage it read
    assert PendingProcessSync.objects.filter(case=case).exists()
    assert sync_pending_processes() == 1
    assert not CaseProcess.active_for(case).exists() and _stages(case) == []  # closed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_closure_committed_after_the_dispatcher_read_its_case_is_the_next_run_s(
    cast, monkeypatch
):
    """The batch syncs the stage it read, not a closure committed since (it would end the run
    there and start another for the stage it read): one run, ended by the next dispatch."""
    hotline = cast.hotline
    case = _intake(hotline)
    sync_pending_processes()
    case_services.record_screening(hotline, case, indicators=["deception"], purposes=[])
    case = case_services.transition_case(hotline, case, "start_verification")
    dispatcher, paused, resume = _pausing_dispatcher(monkeypatch)
    dispatcher.start()
    assert paused.wait(10)
    try:
        case_services.transition_case(hotline, case, "close", closure_reason="declined_support")
    finally:
        resume.set()
        dispatcher.join()
    assert _stages(case) == ["verification"]
    monkeypatch.undo()
    assert sync_pending_processes() == 1
    [run] = CaseProcess.objects.filter(artifact_object_id=case.pk)
    assert run.status == PROCESS.DONE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_whose_process_another_transaction_holds_is_left_for_the_next_run(cast):
    held, free = _intake(cast.hotline, "Người 1"), _intake(cast.hotline, "Người 2")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            workflow_services._lock_process(held.pk)
            holding.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        assert sync_pending_processes() == 1
    finally:
        release.set()
        holder.join()
    assert _stages(free) == ["intake"] and _stages(held) == []
    assert sync_pending_processes() == 1
    assert _stages(held) == ["intake"]


def test_celery_beat_runs_the_dispatcher_every_few_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["sync-processes"]
    assert entry["task"] == sync_processes.name
    assert entry["schedule"] <= 5


# Queries of the sync of one closed case (the first transition of its run).
PER_CLOSURE = 22


def _queries_to_sync_closures(hotline, count: int, start: int) -> int:
    cases = [_intake(hotline, f"Người {start + n}") for n in range(count)]
    sync_pending_processes()
    for case in cases:
        case_services.transition_case(hotline, case, "close", closure_reason="declined_support")
    with CaptureQueriesContext(connection) as captured:
        assert sync_pending_processes() == count
    return len(captured.captured_queries)


def test_syncing_closed_cases_costs_the_same_few_queries_per_case_whatever_n(cast):
    """Per closed case: its run, the closure (with who closed it: they do the stage task), the
    open tasks, and viewflow's writes that end the run; the case's last change is not read
    again, nor its actor (issue 15: 24 queries before)."""
    _queries_to_sync_closures(cast.hotline, 1, 100)  # content types, cached once
    few = _queries_to_sync_closures(cast.hotline, 2, 0)
    many = _queries_to_sync_closures(cast.hotline, 5, 10)
    assert (few, many) == (2 * PER_CLOSURE + 5, 5 * PER_CLOSURE + 5)
