"""The case process kept in step with the case state machine, and the task inbox.

The state machine is the truth. `sync_case_process` runs after every transition (on commit, from
cases.services.transition_case) and brings the process in line with the case's stage: the task
of a stage the case has left is done (by the actor of the transition) and the gateway opens the
task of the new stage, or ends the run at closure. It is idempotent, so running it twice, late
or after several transitions always ends in the same place. Completing a task through the task
API is a transition made by cases.services.transition_case: there is one way to move a case.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agencies.models import User
from cases.models import Case, CaseHolding, CaseState, StateChange
from cases.selectors import visible_cases
from cases.services import transition_case
from config.errors import Conflict, NotFound

from .flows import CaseFlow
from .process import OPEN_TASK_STATUSES, CaseProcess, CaseTask, case_content_type


def _human_tasks() -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(process__flow_class=CaseFlow, flow_task_type="HUMAN")


def _open_human_tasks() -> QuerySet[CaseTask]:
    return _human_tasks().filter(status__in=OPEN_TASK_STATUSES)


def open_tasks(case: Case) -> QuerySet[CaseTask]:
    """The case's human tasks still waiting: one, for its current stage, unless closed."""
    return (
        _open_human_tasks()
        .filter(
            process__artifact_content_type=case_content_type(),
            process__artifact_object_id=case.pk,
        )
        .select_related("process")
        .order_by("created", "pk")
    )


def tasks_for_user(user: User) -> list[CaseTask]:
    """The inbox of the user's unit: open tasks of cases the unit holds, for stages it works."""
    if not user.is_active or user.unit_id is None:
        return []
    held = CaseHolding.objects.filter(unit_id=user.unit_id, until__isnull=True).values("case_id")
    candidates = (
        _open_human_tasks()
        .filter(process__artifact_object_id__in=held)
        .select_related("process")
        .order_by("created", "pk")
    )
    return [task for task in candidates if task.may_be_worked_by(user)]


def get_visible_task(user: User, task_id: int) -> CaseTask:
    """A human task of a case the user may know exists; otherwise 404 (no existence leak)."""
    task = _human_tasks().select_related("process").filter(pk=task_id).first()
    if task is None or not visible_cases(user).filter(pk=task.process.artifact_object_id).exists():
        raise NotFound(_("No such task."))
    return task


def start_case_process(case: Case) -> CaseProcess | None:
    """Start the case's process unless one is running (idempotent); None for a closed case."""
    with transaction.atomic():
        case = _locked(case)
        process = CaseProcess.active_for(case).first()
        if process is None and case.state != CaseState.CLOSED:
            process = CaseFlow.start.run(case=case)
        return process


def sync_case_process(case: Case) -> CaseProcess | None:
    """Bring the case's process in line with the case's stage (idempotent).

    Tasks of stages the case has left are done and the tasks of the new stage opened; a
    closed case's run ends; a reopened case (no running process) gets a new run.
    """
    with transaction.atomic():
        case = _locked(case)
        process = CaseProcess.active_for(case).first()
        if process is None:
            return start_case_process(case)
        obsolete = [task for task in open_tasks(case) if task.stage != case.state]
        change = case.state_changes.order_by("-at", "-pk").first()
        for task in obsolete:
            _finish_stage_task(task, change)
        return process


def complete_task(
    actor: User,
    task: CaseTask,
    transition: str,
    *,
    reason: str = "",
    closure_reason: str = "",
    duplicate_of: Case | None = None,
    expected_version: int | None = None,
) -> Case:
    """Do a stage task: make the transition out of its stage (cases.services.transition_case).

    The transition must leave the stage the task stands for: a case changed since the task
    was read gives 409, as a stale expected_version does.
    """
    case = task.case
    if not task.is_open or task.stage != case.state:
        raise Conflict(_("This task is already done; reload your tasks."), "task_done")
    case = transition_case(
        actor,
        case,
        transition,
        reason=reason,
        closure_reason=closure_reason,
        duplicate_of=duplicate_of,
        expected_version=case.version if expected_version is None else expected_version,
    )
    sync_case_process(case)
    return case


def _locked(case: Case) -> Case:
    """The case row, locked: process changes for one case happen one at a time."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _finish_stage_task(task: CaseTask, change: StateChange | None) -> None:
    """Mark the task done by whoever moved the case on, and let the gateway route onwards."""
    with task.activation() as activation:
        if change is not None:
            activation.task.data = {
                **activation.task.data,
                "transition": change.transition,
                "state_change": change.pk,
            }
        actor = change.actor if change else None
        if activation.assign.can_proceed():
            activation.assign(actor)
        else:
            activation.reassign(actor)
        activation.start(None)
        activation.execute()
