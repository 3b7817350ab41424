"""The inter-agency process (workflows.flows.CaseFlow) in step with the case state machine.

Requests leave the process to the dispatcher (workflows.services.sync_pending_processes, run by
Celery beat every few seconds): `dispatch()` below is that run."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from cases import services as case_services
from cases.models import Case, CaseHolding
from config.errors import InvalidInput
from security.models import AuditEvent
from supervision.tasks import sweep_deadlines
from tests.cast import refused
from workflows import services as workflow_services
from workflows.models import PendingProcessSync
from workflows.process import CaseProcess, CaseTask
from workflows.services import (
    complete_support_track,
    complete_task,
    open_tasks,
    reconcile_processes,
    sync_case_process,
    sync_pending_processes,
    tasks_for_user,
)

pytestmark = pytest.mark.django_db

TRACK = "support_while_identified"  # the parallel support track of identification


def dispatch(result=None):
    """The process dispatcher's run (every few seconds in production); returns `result`."""
    sync_pending_processes()
    return result


@pytest.fixture
def users(cast):
    names = {
        "hotline": "demo-hotline",
        "police": "demo-police",
        "social": "demo-social",
        "justice": "demo-justice",
        "other_police": "qt-police-caseworker",  # another province: never holds the case
    }
    return {key: cast.named(username) for key, username in names.items()}


@pytest.fixture
def new_case(users):
    def make(received_at=None):
        data = case_services.IntakeData(
            channel="hotline",
            victim=case_services.PersonData(full_name="Nguyễn Thị A"),
            received_at=received_at,
        )
        case = case_services.create_intake(users["hotline"], data).case
        for name in ("police", "social", "justice"):
            CaseHolding.objects.create(
                case=case, unit=users[name].unit, basis="referral", since=timezone.now()
            )
        return dispatch(case)

    return make


@pytest.fixture
def in_verification(new_case, users):
    """A case screened by the hotline and moved to verification through cases.services."""

    def make(received_at=None):
        case = new_case(received_at)
        case_services.record_screening(
            users["hotline"], case, indicators=["deception"], purposes=[]
        )
        return dispatch(case_services.transition_case(users["hotline"], case, "start_verification"))

    return make


@pytest.fixture
def in_identification(in_verification, users):
    """A case verified by the police and moved on to identification."""

    def make():
        case = in_verification()
        case_services.record_verification(users["police"], case, outcome="signs_of_trafficking")
        return dispatch(
            case_services.transition_case(users["police"], case, "start_identification")
        )

    return make


def stages(case) -> list[str]:
    """The flow nodes of the case's open tasks: stage names, and the support track."""
    return [task.flow_task.name for task in open_tasks(case)]


def stage_task(case) -> CaseTask:
    [task] = [task for task in open_tasks(case) if task.track == "stage"]
    return task


def test_an_intake_starts_the_process_with_only_a_pseudonymous_reference(new_case):
    case = new_case()
    process = CaseProcess.active_for(case).get()
    assert process.case == case
    assert process.data == {"case": str(case.uuid), "change": 0}
    assert stages(case) == ["intake"]


def test_starting_twice_keeps_one_process(new_case):
    case = new_case()
    assert workflow_services.sync_case_process(case) == CaseProcess.active_for(case).get()
    assert CaseProcess.objects.filter(artifact_object_id=case.pk).count() == 1


def test_tasks_wait_in_the_inbox_of_the_units_responsible_for_the_stage(in_verification, users):
    case = in_verification()
    [task] = open_tasks(case)
    assert task.stage == "verification"
    assert task in tasks_for_user(users["police"])
    assert task in tasks_for_user(users["social"])
    for name in ("hotline", "justice", "other_police"):  # not responsible, or not a holder
        assert task not in tasks_for_user(users[name]), name


def test_a_transition_through_the_cases_api_completes_the_task(in_verification, users, api):
    case = in_verification()
    [task] = open_tasks(case)
    case_services.record_verification(users["police"], case, outcome="signs_of_trafficking")
    response = api(users["police"]).post(
        f"/api/v1/cases/{case.uuid}/transitions/",
        {"transition": "start_identification"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    dispatch()
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert task.owner == users["police"]
    assert task.data["transition"] == "start_identification"
    assert stages(case) == ["identification", TRACK]


def test_completing_a_task_through_the_task_api_moves_the_case(new_case, users, api):
    case = new_case()
    case_services.record_screening(users["hotline"], case, indicators=["deception"], purposes=[])
    [task] = open_tasks(case)
    hotline = api(users["hotline"])
    assert [t["id"] for t in hotline.get("/api/v1/tasks/").json()["results"]] == [task.pk]

    response = hotline.post(
        f"/api/v1/tasks/{task.pk}/complete", {"transition": "start_verification"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["case"]["state"] == "verification"
    # The answer comes before the dispatcher's run: the case has moved on, the task is not
    # done yet, and the stage's new task is not open yet.
    assert [t["stage"] for t in body["open_tasks"]] == ["intake"]
    dispatch()
    task.refresh_from_db()
    assert (task.status, task.owner.username) == (STATUS.DONE, "demo-hotline")
    assert stages(case) == ["verification"]
    assert case.state_changes.get().transition == "start_verification"


def test_task_api_errors(in_verification, users, api):
    case = in_verification()
    [task] = open_tasks(case)
    done = CaseTask.objects.get(process=task.process, flow_task_type="HUMAN", status=STATUS.DONE)
    url = f"/api/v1/tasks/{task.pk}/complete"
    justice = api(users["justice"])
    assert justice.get(f"/api/v1/tasks/{task.pk}/").status_code == 200
    response = justice.post(url, {"transition": "start_identification"}, format="json")
    refused(response, 403, "forbidden")
    refused(api(users["other_police"]).post(url, {"transition": "close"}), 404, "not_found")
    refused(api(users["other_police"]).get(f"/api/v1/tasks/{task.pk}/"), 404, "not_found")
    police = api(users["police"])
    refused(police.post(url, {}, format="json"), 400, "invalid")
    refused(police.post(url, {"transition": "start_support"}), 409, "transition_not_allowed")
    response = police.post(
        f"/api/v1/tasks/{done.pk}/complete/", {"transition": "start_rescue"}, format="json"
    )
    refused(response, 409, "task_done")
    assert stages(case) == ["verification"]


def test_closing_ends_the_process_and_reopening_starts_a_new_run(in_verification, users):
    case = in_verification()
    first = CaseProcess.active_for(case).get()
    case_services.transition_case(
        users["police"],
        case,
        "close",
        closure_reason="declined_support",
        reason="Declined in writing",
    )
    dispatch()
    first.refresh_from_db()
    assert first.status == PROCESS.DONE
    assert stages(case) == []
    case_services.transition_case(users["hotline"], case, "reopen", reason="New facts")
    dispatch()
    assert CaseProcess.active_for(case).get() != first
    assert stages(case) == ["verification"]


def test_sync_is_idempotent(in_verification, users):
    """One sync catches up a case moved behind the flow's back; a second one changes nothing."""
    in_step = in_verification()
    before = list(open_tasks(in_step))
    sync_case_process(in_step)
    assert list(open_tasks(in_step)) == before

    case = in_verification()
    case_services.record_verification(users["police"], case, outcome="signs_of_trafficking")
    Case.objects.filter(pk=case.pk).update(state="identification")  # the flow did not hear
    case.refresh_from_db()
    assert stages(case) == ["verification"]

    process = sync_case_process(case)
    assert process == CaseProcess.active_for(case).get()
    assert stages(case) == ["identification", TRACK]
    tasks = list(CaseTask.objects.filter(process=process).values_list("pk", "status"))
    assert sync_case_process(case) == process
    assert list(CaseTask.objects.filter(process=process).values_list("pk", "status")) == tasks
    assert stages(case) == ["identification", TRACK]


def test_a_stage_deadline_is_a_database_timer_fired_by_the_sweep(in_verification):
    on_time = in_verification()
    late = in_verification(received_at=timezone.now() - timedelta(days=10))
    timers = CaseTask.objects.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED)
    assert timers.count() == 2
    assert fire_due_timers() == 1

    [task] = open_tasks(late)
    assert task.data["overdue"] is True
    assert task.stage == "verification"  # the stage stays open, only flagged
    event = AuditEvent.objects.get(action="task.overdue")
    assert event.case_uuid == late.uuid
    assert not open_tasks(on_time)[0].data.get("overdue")
    assert fire_due_timers() == 0


def test_a_timer_due_after_the_case_left_its_stage_flags_nothing(in_verification, users):
    """Between a transition and the dispatcher's next run the stage's timer still waits."""
    case = in_verification(received_at=timezone.now() - timedelta(days=10))
    case_services.record_verification(users["police"], case, outcome="signs_of_trafficking")
    case_services.transition_case(users["police"], case, "start_identification")
    assert fire_due_timers() == 1
    assert not AuditEvent.objects.filter(action="task.overdue").exists()
    assert not CaseTask.objects.filter(data__overdue=True).exists()


def test_leaving_a_stage_cancels_its_timer(in_verification, users):
    case = in_verification()
    case_services.record_verification(users["police"], case, outcome="signs_of_trafficking")
    dispatch(case_services.transition_case(users["police"], case, "start_identification"))
    timer = CaseTask.objects.get(flow_task_type="TIMER")
    assert timer.status == STATUS.CANCELED


def test_every_stage_has_its_task_on_the_way_to_closure(in_verification, users):
    case = in_verification()
    police, social = users["police"], users["social"]
    case_services.request_rescue(police, case, country="CN")
    case_services.record_rescue_done(police, case)
    case_services.add_protection_measure(police, case, kind="safety_of_victim")
    case_services.request_service(social, case, kind="essential_needs")
    path = [
        (police, "start_rescue", ["rescue"]),
        (police, "start_identification", ["identification", TRACK]),
        (police, "start_protection", ["protection"]),
        (social, "start_support", ["support"]),
    ]
    for actor, transition, nodes in path:
        dispatch(complete_task(actor, stage_task(case), transition))
        assert stages(case) == nodes
        assert stage_task(case) in tasks_for_user(social if nodes == ["support"] else police)
    dispatch(complete_task(social, stage_task(case), "close", closure_reason="reintegrated"))
    assert stages(case) == []
    assert not CaseProcess.active_for(case).exists()


def test_identification_splits_into_its_task_and_a_parallel_support_track(in_identification, users):
    case = in_identification()
    identification, track = open_tasks(case)
    assert [identification.track, track.track] == ["stage", "support"]
    assert track.stage == "identification"
    split = CaseTask.objects.get(process=track.process, flow_task_type="PARALLEL_GATEWAY")
    assert {task.pk for task in split.leading.all()} == {identification.pk, track.pk}
    assert identification in tasks_for_user(users["police"])
    for name in ("social", "justice"):  # the units responsible for support
        assert track in tasks_for_user(users[name]), name
    for name in ("police", "hotline", "other_police"):
        assert track not in tasks_for_user(users[name]), name


def test_the_support_track_is_done_once_support_is_recorded(in_identification, users, api):
    case = in_identification()
    track = open_tasks(case)[1]
    url = f"/api/v1/tasks/{track.pk}/complete"
    social = api(users["social"])
    shown = social.get(f"/api/v1/tasks/{track.pk}/").json()
    assert (shown["track"], shown["stage"], shown["transitions"]) == (
        "support",
        "identification",
        [],
    )

    response = social.post(url, {}, format="json")
    refused(response, 400, "missing_records")
    assert "protection measure or support service" in response.json()["detail"]
    refused(api(users["police"]).post(url, {}, format="json"), 403, "forbidden")
    added = social.post(
        f"/api/v1/cases/{case.uuid}/services/", {"kind": "essential_needs"}, format="json"
    )
    assert added.status_code == 201, added.json()

    response = social.post(url, {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["task"]["status"], body["task"]["done_by"]) == (STATUS.DONE, "demo-social")
    assert body["case"]["state"] == "identification"
    assert [t["stage"] for t in body["open_tasks"]] == ["identification"]
    assert stages(case) == ["identification"]
    assert AuditEvent.objects.get(action="task.complete").case_uuid == case.uuid
    assert social.post(url, {}, format="json").json()["error"] == "task_done"


def test_a_transition_is_refused_on_the_support_track(in_identification, users):
    case = in_identification()
    track = open_tasks(case)[1]
    with pytest.raises(InvalidInput):
        complete_task(users["social"], track, "start_support")
    with pytest.raises(InvalidInput):
        complete_support_track(users["police"], stage_task(case))
    assert stages(case) == ["identification", TRACK]


def test_leaving_identification_cancels_an_open_support_track(in_identification, users):
    case = in_identification()
    track = open_tasks(case)[1]
    case_services.add_protection_measure(users["police"], case, kind="safety_of_victim")
    dispatch(complete_task(users["police"], stage_task(case), "start_protection"))
    track.refresh_from_db()
    assert (track.status, track.data["transition"]) == (STATUS.CANCELED, "start_protection")
    assert stages(case) == ["protection"]
    join = CaseTask.objects.get(process=track.process, flow_task_type="JOIN")
    assert join.status == STATUS.DONE


def test_after_the_join_the_case_goes_on_to_closure_and_reopens(in_identification, users):
    case = in_identification()
    police, social = users["police"], users["social"]
    case_services.request_service(social, case, kind="essential_needs")
    complete_support_track(social, open_tasks(case)[1])
    case_services.add_protection_measure(police, case, kind="safety_of_victim")
    for actor, transition in [(police, "start_protection"), (social, "start_support")]:
        dispatch(complete_task(actor, stage_task(case), transition))
    assert stages(case) == ["support"]
    dispatch(complete_task(social, stage_task(case), "close", closure_reason="reintegrated"))
    assert not CaseProcess.active_for(case).exists()
    dispatch(case_services.transition_case(users["hotline"], case, "reopen", reason="New facts"))
    assert stages(case) == ["support"]


def test_closing_during_identification_ends_the_run_and_reopening_splits_again(
    in_identification, users
):
    case = in_identification()
    first = CaseProcess.active_for(case).get()
    case_services.transition_case(
        users["police"],
        case,
        "close",
        closure_reason="declined_support",
        reason="Declined in writing",
    )
    dispatch()
    first.refresh_from_db()
    assert first.status == PROCESS.DONE
    assert not first.task_set.filter(finished__isnull=True).exists()
    dispatch(case_services.transition_case(users["hotline"], case, "reopen", reason="New facts"))
    assert stages(case) == ["identification", TRACK]


def _lose_process(case) -> None:
    PendingProcessSync.objects.filter(case=case).delete()  # nor is it waiting for one
    for process in CaseProcess.objects.filter(artifact_object_id=case.pk):
        process.task_set.all().delete()
        process.delete()


def test_reconciling_starts_missing_processes_and_syncs_stale_ones(
    in_verification, in_identification, users, django_assert_num_queries
):
    hotline, police = users["hotline"], users["police"]
    data = case_services.IntakeData(
        channel="hotline", victim=case_services.PersonData(full_name="Trần Văn B")
    )
    no_process = case_services.create_intake(hotline, data).case
    _lose_process(no_process)  # as if restored from a backup taken before its process existed
    moved = in_verification()
    case_services.record_verification(police, moved, outcome="signs_of_trafficking")
    Case.objects.filter(pk=moved.pk).update(state="identification")  # moved behind the flow
    closed = in_identification()
    Case.objects.filter(pk=closed.pk).update(state="closed")
    in_step = in_identification()

    assert reconcile_processes() == 3
    assert stages(no_process) == ["intake"]
    assert stages(moved) == ["identification", TRACK]
    assert not CaseProcess.active_for(closed).exists()
    assert stages(in_step) == ["identification", TRACK]
    with django_assert_num_queries(1):
        assert reconcile_processes() == 0


def test_the_deadline_sweep_reconciles_and_logs_a_failure(users, monkeypatch, caplog):
    data = case_services.IntakeData(
        channel="hotline", victim=case_services.PersonData(full_name="Trần Văn B")
    )
    case = case_services.create_intake(users["hotline"], data).case
    _lose_process(case)

    def broken(case):
        raise RuntimeError("boom")

    monkeypatch.setattr(workflow_services, "sync_case_process", broken)
    with caplog.at_level(logging.ERROR, logger="workflows.services"):
        assert sweep_deadlines()["reconciled"] == 0
    assert str(case.uuid) in caplog.text
    monkeypatch.undo()
    assert sweep_deadlines()["reconciled"] == 1
    assert stages(case) == ["intake"]
