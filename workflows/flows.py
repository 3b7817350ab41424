"""The inter-agency process of a case as a viewflow flow (DESIGN.md §2, §3).

The case state machine (cases.models.Case.state) is the truth; the flow follows it. After the
start, a gateway routes to the human task of the case's current stage; that task waits in the
queue of the units responsible for the stage and is done when the case leaves the stage (by a
transition, through the cases API or the task API), after which the gateway routes again: to
the next stage's task, or to the end when the case is closed. A reopened case gets a new run.

Identification runs two tracks in parallel (a Split and a Join): the identification task, and
"support while being identified" for the units responsible for support, since a person in the
process of being identified is already entitled to protection and support. The support track
is done once a protection measure or a support service is recorded; when the case leaves
identification first, workflows.services cancels it. The Join waits for both tracks and then
routes on like any stage task.

Stage deadlines (rulebooks.selectors) are database timers attached to the stage task; they are
fired by viewflow.workflow.timers.fire_due_timers() and leave the task open, only flagging it.
"""

import functools
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.lock import SelectForUpdateLock
from viewflow.workflow.status import PROCESS, STATUS

from agencies.models import Role, User
from cases.lifecycle import TRANSITIONS
from cases.models import Case, CaseState
from cases.permissions import may_transition
from cases.selectors import active_holding
from rulebooks.selectors import STAGE_DEADLINE_STEPS, responsible_kinds_for_stage, stage_deadlines
from security.audit import record_event

from .process import CaseProcess, CaseTask, case_content_type

# Whether the flow is starting a run (new_run): its lock has nothing to lock then.
_starting: ContextVar[bool] = ContextVar("starting_run", default=False)


@contextmanager
def new_run() -> Iterator[None]:
    """Within the block, the flow starts a run (CaseFlow.start.run) and touches no other."""
    token = _starting.set(True)
    try:
        yield
    finally:
        _starting.reset(token)


class CaseProcessLock(SelectForUpdateLock):
    """viewflow's lock of a process, the row locked FOR UPDATE in a savepoint, except while a
    run is started (new_run): its process row is not committed, so no other transaction can
    see it, let alone change it, and the lock would be a query and a savepoint for nothing
    (issue 15: the dispatcher starts a run for every intake)."""

    @contextmanager
    def __call__(self, flow_class, process_pk):
        if _starting.get():
            yield
            return
        with super().__call__(flow_class, process_pk):
            yield


# What a human task stands for: the work of its stage, or the parallel support track.
STAGE_TRACK = "stage"
SUPPORT_TRACK = "support"


class CaseTaskNode(flow.View):
    """A human task of a case, worked through the task API, not viewflow's views.

    Who may take it is decided by the case's holdings and rulebook (may_be_worked_by), not by
    Django permissions, so viewflow's assign/execute checks are pointed there.
    """

    track = STAGE_TRACK

    def __init__(self, stage: str, title: str | Promise):
        super().__init__(view=None)
        self.stage = stage
        self.Annotation(title=title)

    def may_be_worked_by(self, user: User, case: Case) -> bool:
        """Whether the task belongs in the user's inbox, the case being in the task's stage."""
        raise NotImplementedError

    def can_assign(self, user, task) -> bool:
        return task.owner_id is None and task.coerced.may_be_worked_by(user)

    def can_execute(self, user, task) -> bool:
        return task.owner_id == user.pk and task.coerced.may_be_worked_by(user)


class StageTask(CaseTaskNode):
    """The human task of one case stage, done by a transition out of the stage."""

    def __init__(self, stage: str):
        super().__init__(stage, CaseState(stage).label)
        self.timed = stage in STAGE_DEADLINE_STEPS  # a deadline timer is attached to it
        if self.timed:
            self.OnTimeout(this.stage_due_at, this.flag_overdue, interrupting=False)

    def may_be_worked_by(self, user: User, case: Case) -> bool:
        """The user may move the case on from the stage: see cases.permissions.may_transition.

        Closing counts only where it is the one way on (the support stage), so that a lead
        unit's right to close any case does not fill its inbox with other agencies' stages.
        """
        names = [t.name for t in case.get_available_state_transitions()]
        onward = [name for name in names if TRANSITIONS[name].is_onward] or names
        return any(may_transition(user, case, name) for name in onward)


class SupportTrackTask(CaseTaskNode):
    """Support while being identified: the parallel track of the identification stage.

    It waits for caseworkers of the holding units that the rulebook makes responsible for the
    support stage; they record protection measures and support services through the cases
    API, and complete it once the support is set up.
    """

    track = SUPPORT_TRACK

    def __init__(self):
        super().__init__(CaseState.IDENTIFICATION, _("Support while being identified"))

    def may_be_worked_by(self, user: User, case: Case) -> bool:
        return (
            user.is_active
            and user.role in (Role.CASEWORKER, Role.HOTLINE_OPERATOR)
            and active_holding(user, case) is not None
            and user.unit.kind in responsible_kinds_for_stage(case.rulebook, CaseState.SUPPORT)
        )


def _in_stage(stage: str):
    def condition(activation) -> bool:
        return activation.process.case_state() == stage

    return condition


class CaseFlow(flow.Flow):
    """Quy trình liên ngành (inter-agency process)

    One human task per stage of the case, in the queue of the units responsible for it, and
    a parallel support track while the person is being identified.
    """

    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = CaseProcessLock()

    start = flow.StartHandle(this.start_process).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.intake, _in_stage(CaseState.INTAKE))
        .Case(this.verification, _in_stage(CaseState.VERIFICATION))
        .Case(this.split_identification, _in_stage(CaseState.IDENTIFICATION))
        .Case(this.rescue, _in_stage(CaseState.RESCUE))
        .Case(this.protection, _in_stage(CaseState.PROTECTION))
        .Case(this.support, _in_stage(CaseState.SUPPORT))
        .Default(this.end)
    )
    intake = StageTask(CaseState.INTAKE).Next(this.route)
    verification = StageTask(CaseState.VERIFICATION).Next(this.route)
    split_identification = (
        flow.Split().Always(this.identification).Always(this.support_while_identified)
    )
    identification = StageTask(CaseState.IDENTIFICATION).Next(this.join_identification)
    support_while_identified = SupportTrackTask().Next(this.join_identification)
    join_identification = flow.Join().Next(this.route)
    rescue = StageTask(CaseState.RESCUE).Next(this.route)
    protection = StageTask(CaseState.PROTECTION).Next(this.route)
    support = StageTask(CaseState.SUPPORT).Next(this.route)
    flag_overdue = flow.Function(this.record_overdue).Next(this.end)
    end = flow.End()

    def start_process(self, activation, case: Case, change: int = 0) -> CaseProcess:
        """Link the new run to its case. Process.data holds only pseudonymous references: the
        case UUID, and the id of the case's last stage change the run has followed
        (workflows.services: a closure the dispatcher missed is found after it)."""
        activation.process.artifact = case
        activation.process.data = run_data(case, change)
        return activation.process

    def stage_due_at(self, activation):
        """When the stage the timer is attached to must be done (rulebooks.selectors)."""
        stage = activation.flow_task._attached_to.stage
        return stage_deadlines(activation.process.case)[stage].due_at

    def record_overdue(self, activation) -> None:
        """Flag the stage task as overdue and write it to the audit trail; not once the case
        has left the stage (the dispatcher cancels the timer seconds later)."""
        timer = activation.task.previous.get()
        task = timer.previous.get()
        if activation.process.case_state() != task.flow_task.stage:
            return
        task.data = {**task.data, "overdue": True}
        task.save(update_fields=["data"])
        record_event(
            "task.overdue",
            case=activation.process.case,
            obj=task,
            details={"stage": task.flow_task.stage, "due_at": timer.scheduled},
        )


def run_data(case: Case, change: int) -> dict:
    """What a run keeps in Process.data: the case's UUID, and the id of its last stage change
    the run has followed (workflows.services)."""
    return {"case": str(case.uuid), "change": change}


@functools.cache
def started_in_bulk() -> dict[str, StageTask]:
    """The stages whose run start_runs can start, with the task the run opens in each: a
    stage task the route leads to right after the start, with no deadline timer (not the
    identification's split, nor a timed stage, whose timers viewflow makes). Read from the
    route's branches (viewflow's Switch._branches), so that a change of the flow changes it,
    once: the flow is fixed when the code is loaded. tests/workflows/test_bulk_start.py
    names them."""
    return {
        node.stage: node
        for node, _condition in CaseFlow.route._branches
        if isinstance(node, StageTask) and not node.timed
    }


def start_runs(cases: list[tuple[Case, int]]) -> None:
    """Start a run for each (case, last change id) in a stage of started_in_bulk(): the rows
    CaseFlow.start.run writes for one (the run, its start and route done, the stage's task
    waiting), written for all of them in three INSERTs, not eleven queries each (issue 15:
    the dispatcher spent most of its time starting a run for every intake). Viewflow then
    works these runs as its own (tests/workflows/test_bulk_start.py compares them)."""
    if not cases:
        return
    opened = started_in_bulk()
    now = timezone.now()
    runs = CaseProcess.objects.bulk_create(
        [
            CaseProcess(
                flow_class=CaseFlow,
                status=PROCESS.NEW,
                created=now,
                data=run_data(case, change),
                artifact_content_type=case_content_type(),
                artifact_object_id=case.pk,
            )
            for case, change in cases
        ]
    )
    steps = [  # each run's start, route and stage task, in that order
        (
            _task(run, CaseFlow.start, STATUS.DONE, now, started=now, finished=now),
            _task(run, CaseFlow.route, STATUS.DONE, now, finished=now),
            _task(run, opened[case.state], STATUS.NEW, now),
        )
        for run, (case, _change) in zip(runs, cases, strict=True)
    ]
    CaseTask.objects.bulk_create([task for run_steps in steps for task in run_steps])
    after = CaseTask.previous.through
    after.objects.bulk_create(
        after(from_task_id=task.pk, to_task_id=previous.pk)
        for run_steps in steps
        for previous, task in itertools.pairwise(run_steps)
    )


def _task(run: CaseProcess, node, status: str, created, **times) -> CaseTask:
    return CaseTask(
        process=run,
        flow_task=node,
        flow_task_type=node.task_type,
        status=status,
        created=created,
        data={},
        **times,
    )
