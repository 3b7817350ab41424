"""Runs the dispatcher starts in bulk (workflows.flows.start_runs) are the runs viewflow starts:
the same rows, and viewflow works them on alike (issue 15)."""

import pytest
from django.db.models import Q

from cases import services as case_services
from cases.models import Case, CaseState
from workflows.flows import CaseFlow, new_run, start_runs, started_in_bulk
from workflows.models import PendingProcessSync
from workflows.process import CaseProcess, CaseTask, flow_sees_stage
from workflows.services import sync_case_process, sync_pending_processes

pytestmark = pytest.mark.django_db


def _case_in(hotline, stage: str, name: str) -> Case:
    data = case_services.IntakeData(
        channel="hotline", victim=case_services.PersonData(full_name=name)
    )
    case = case_services.create_intake(hotline, data).case
    PendingProcessSync.objects.filter(case=case).delete()  # started by hand below
    Case.objects.filter(pk=case.pk).update(state=stage)
    case.refresh_from_db()
    return case


def _run(case: Case) -> list:
    """The case's runs as rows without their ids and times: each run, and each of its tasks
    with the positions of the tasks before it."""
    runs = []
    for run in CaseProcess.objects.filter(artifact_object_id=case.pk).order_by("pk"):
        tasks = list(CaseTask.objects.filter(process=run).order_by("pk"))
        position = {task.pk: index for index, task in enumerate(tasks)}
        runs.append(
            (
                (run.flow_class, run.status, run.data["change"], run.finished is None),
                [
                    (
                        task.flow_task,
                        task.flow_task_type,
                        task.status,
                        str(task.token),
                        task.data,
                        task.owner_id,
                        task.assigned,
                        task.scheduled is None,
                        task.started is None,
                        task.finished is None,
                        sorted(position[previous.pk] for previous in task.previous.all()),
                    )
                    for task in tasks
                ],
            )
        )
    return runs


def test_the_stages_started_in_bulk_are_those_without_a_split_or_timer():
    assert set(started_in_bulk()) == {
        CaseState.INTAKE,
        CaseState.RESCUE,
        CaseState.PROTECTION,
        CaseState.SUPPORT,
    }


@pytest.mark.parametrize("stage", sorted(started_in_bulk()))
@pytest.mark.parametrize("then", [CaseState.VERIFICATION, CaseState.CLOSED])
def test_a_run_started_in_bulk_is_the_run_viewflow_starts(cast, stage, then):
    by_viewflow = _case_in(cast.hotline, stage, "Nguyễn Thị Một")
    in_bulk = _case_in(cast.hotline, stage, "Nguyễn Thị Hai")
    with flow_sees_stage(stage), new_run():
        CaseFlow.start.run(case=by_viewflow, change=7)
    start_runs([(in_bulk, 7)])
    assert _run(in_bulk) == _run(by_viewflow)
    assert len(_run(in_bulk)[0][1]) == 3  # the start, the route, the stage's task
    # Worked on by viewflow alike: to another stage (a timed one) or closed.
    Case.objects.filter(Q(pk=by_viewflow.pk) | Q(pk=in_bulk.pk)).update(state=then)
    for case in (by_viewflow, in_bulk):
        sync_case_process(case)
    assert _run(in_bulk) == _run(by_viewflow)


def test_the_dispatcher_starts_the_runs_of_new_cases_in_bulk(cast, monkeypatch):
    started = []
    monkeypatch.setattr(
        "workflows.services.start_runs", lambda cases: started.extend(cases) or start_runs(cases)
    )
    data = [case_services.PersonData(full_name=f"Người {n}") for n in range(3)]
    cases = [
        case_services.create_intake(cast.hotline, case_services.IntakeData("hotline", v)).case
        for v in data
    ]
    assert sync_pending_processes() == 3
    assert sorted(case.pk for case, _change in started) == sorted(case.pk for case in cases)
    for case in cases:
        assert [
            t.flow_task
            for t in CaseTask.objects.filter(process__artifact_object_id=case.pk, status="NEW")
        ] == [CaseFlow.intake]
