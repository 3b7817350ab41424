"""The inter-agency process of a case as a viewflow flow (DESIGN.md §2, §3).

The case state machine (cases.models.Case.state) is the truth; the flow follows it. After the
start, a gateway routes to the human task of the case's current stage; that task waits in the
queue of the units responsible for the stage and is done when the case leaves the stage (by a
transition, through the cases API or the task API), after which the gateway routes again: to
the next stage's task, or to the end when the case is closed. A reopened case gets a new run.

Stage deadlines (workflows.stages) are database timers attached to the stage task; they are
fired by viewflow.workflow.timers.fire_due_timers() and leave the task open, only flagging it.
"""

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.lock import select_for_update_lock

from cases.models import Case, CaseState
from security.audit import record_event

from .process import CaseProcess, CaseTask
from .stages import STAGE_DEADLINE_STEPS, stage_deadlines


class StageTask(flow.View):
    """The human task of one case stage, worked through the task API, not viewflow's views.

    Who may take it is decided by the case's holdings and rulebook (CaseTask.may_be_worked_by),
    not by Django permissions, so viewflow's assign/execute checks are pointed there.
    """

    def __init__(self, stage: str):
        super().__init__(view=None)
        self.stage = stage
        self.Annotation(title=CaseState(stage).label)
        if stage in STAGE_DEADLINE_STEPS:
            self.OnTimeout(this.stage_due_at, this.flag_overdue, interrupting=False)

    def can_assign(self, user, task) -> bool:
        return task.owner_id is None and task.coerced.may_be_worked_by(user)

    def can_execute(self, user, task) -> bool:
        return task.owner_id == user.pk and task.coerced.may_be_worked_by(user)


def _in_stage(stage: str):
    def condition(activation) -> bool:
        return activation.process.case_state() == stage

    return condition


class CaseFlow(flow.Flow):
    """Quy trình liên ngành (inter-agency process)

    One human task per stage of the case, in the queue of the units responsible for it.
    """

    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.intake, _in_stage(CaseState.INTAKE))
        .Case(this.verification, _in_stage(CaseState.VERIFICATION))
        .Case(this.identification, _in_stage(CaseState.IDENTIFICATION))
        .Case(this.rescue, _in_stage(CaseState.RESCUE))
        .Case(this.protection, _in_stage(CaseState.PROTECTION))
        .Case(this.support, _in_stage(CaseState.SUPPORT))
        .Default(this.end)
    )
    intake = StageTask(CaseState.INTAKE).Next(this.route)
    verification = StageTask(CaseState.VERIFICATION).Next(this.route)
    identification = StageTask(CaseState.IDENTIFICATION).Next(this.route)
    rescue = StageTask(CaseState.RESCUE).Next(this.route)
    protection = StageTask(CaseState.PROTECTION).Next(this.route)
    support = StageTask(CaseState.SUPPORT).Next(this.route)
    flag_overdue = flow.Function(this.record_overdue).Next(this.end)
    end = flow.End()

    def start_process(self, activation, case: Case) -> CaseProcess:
        """Link the new run to its case; only the case UUID goes into Process.data."""
        activation.process.artifact = case
        activation.process.data = {"case": str(case.uuid)}
        return activation.process

    def stage_due_at(self, activation):
        """When the stage the timer is attached to must be done (workflows.stages)."""
        stage = activation.flow_task._attached_to.stage
        return stage_deadlines(activation.process.case)[stage].due_at

    def record_overdue(self, activation) -> None:
        """Flag the stage task as overdue and write it to the audit trail."""
        timer = activation.task.previous.get()
        task = timer.previous.get()
        task.data = {**task.data, "overdue": True}
        task.save(update_fields=["data"])
        record_event(
            "task.overdue",
            case=activation.process.case,
            obj=task,
            details={"stage": task.flow_task.stage, "due_at": timer.scheduled},
        )
