"""The case process kept in step with the case state machine, and the task inbox.

The state machine is the truth. A request that opens a case or moves it only records that the
case's process must follow (a PendingProcessSync row, written in its transaction by
`follow_case_stage`); the dispatcher, `sync_pending_processes`, run by Celery beat every
LOIVE_PROCESS_SYNC_SECONDS and by the deadline sweep, brings each such process in line with its
case's stage with `sync_case_process`: the task of a stage the case has left is done (by the
actor of the transition), a parallel track still open for that stage is cancelled, and the flow
opens the tasks of the new stage, or ends the run at closure (issue 15: starting the process
was half of an intake's queries and a third of its CPU). The runs of a batch's new cases are
started together, in a few INSERTs (flows.start_runs).

Why the deferral loses nothing: the outbox row commits with the change or not at all, and it is
deleted only in the transaction that synced the process, so a crash, a lost Redis message or a
stopped worker leaves the row for the next run. `sync_case_process` is idempotent, so running
it twice, late or after several transitions always ends in the same place; `reconcile_processes`
(in the deadline sweep) also runs it for every case found out of step by other means (cases
restored from a backup, data changed by hand, processes of an older flow).

In between (a few seconds): the case, its stage and its transitions are there at once; the
inbox has no task of the new stage yet, and a task of the stage the case has left no longer
shows (CaseTask.may_be_worked_by requires the case in the task's stage) and cannot be done
(409), so nobody works a stage the case is not in.
Completing a stage task through the task API is a transition made by
cases.services.transition_case: there is one way to move a case.
"""

import logging
from datetime import datetime

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.status import PROCESS, STATUS

from agencies.models import User
from cases.models import Case, CaseHolding, CaseState, StateChange
from cases.selectors import visible_cases
from cases.services import transition_case
from config.errors import Conflict, InvalidInput, NotAllowed, NotFound
from security.audit import record_event

from .flows import (
    STAGE_TRACK,
    SUPPORT_TRACK,
    CaseFlow,
    CaseTaskNode,
    new_run,
    start_runs,
    started_in_bulk,
)
from .models import PendingProcessSync
from .process import (
    OPEN_TASK_STATUSES,
    CaseProcess,
    CaseTask,
    case_content_type,
    flow_sees_stage,
)

logger = logging.getLogger(__name__)


def _human_tasks() -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(process__flow_class=CaseFlow, flow_task_type="HUMAN")


def _open_human_tasks() -> QuerySet[CaseTask]:
    return _human_tasks().filter(status__in=OPEN_TASK_STATUSES)


def open_tasks(case: Case) -> QuerySet[CaseTask]:
    """The case's human tasks still waiting, oldest first.

    The task of its current stage and, while it is being identified, the support track until
    that is done; none once the case is closed.
    """
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
    """The inbox of the user's unit: open tasks of cases the unit holds, that it works."""
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


def finished_tasks(user: User, limit: int = 50) -> list[CaseTask]:
    """The archive of the user's unit: human tasks its people completed, latest first."""
    if not user.is_active or user.unit_id is None:
        return []
    done = _human_tasks().filter(status=STATUS.DONE, owner__unit_id=user.unit_id)
    done = done.select_related("owner").prefetch_related("process__artifact")
    return list(done.order_by("-finished", "-pk")[:limit])


def get_visible_task(user: User, task_id: int) -> CaseTask:
    """A human task of a case the user may know exists; otherwise 404 (no existence leak)."""
    task = _human_tasks().select_related("process").filter(pk=task_id).first()
    if task is None or not visible_cases(user).filter(pk=task.process.artifact_object_id).exists():
        raise NotFound(_("No such task."))
    return task


def sync_case_process(case: Case) -> CaseProcess | None:
    """Bring the case's process in line with the case's stage (idempotent).

    Tasks of stages the case has left are closed and the tasks of the new stage opened; a
    closed case's run ends; a reopened case (no running process) gets a new run.
    """
    with transaction.atomic():
        _lock_process(case.pk)
        return _sync_followed(_followed(Case.objects.all()).get(pk=case.pk))


# The process locks among PostgreSQL's advisory locks: their first key, and how many second
# keys (int4) the case ids share (a case past 2**31 shares its lock with another one, which
# only makes the two wait for each other).
_PROCESS_LOCKS = 0x4C56_0001
_PROCESS_LOCK_IDS = 2**31


def _process_lock_key(case_id_sql: str) -> str:
    """The two keys of the process lock of the case whose id is `case_id_sql` (a placeholder
    or a column), as the arguments of an advisory lock function."""
    return f"{_PROCESS_LOCKS}, ({case_id_sql} %% {_PROCESS_LOCK_IDS})::int"


def _lock_process(case_id: int) -> None:
    """Hold the case's process until the commit: whoever changes a process (the dispatcher, a
    reconciliation, the support track) holds it first, so that changes of one process happen
    one at a time. Not the case row: transitions need that, and need not wait for a process to
    follow them (on PostgreSQL, an advisory lock; SQLite writes one at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_xact_lock({_process_lock_key('%s')})", [case_id])


def _followed(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with what the dispatcher reads of each in the same query (issue 15: two
    queries fewer per case): `last_change_id`, the id of its last stage change (None: none
    since its intake), and `runs`, whether a run of its process is open."""
    return cases.annotate(
        last_change_id=Subquery(
            StateChange.objects.filter(case=OuterRef("pk")).order_by("-pk").values("pk")[:1]
        ),
        runs=Exists(
            CaseProcess.objects.filter(
                artifact_content_type=case_content_type(),
                artifact_object_id=OuterRef("pk"),
                status=PROCESS.NEW,
            )
        ),
    )


def _sync_followed(case: Case) -> CaseProcess | None:
    """sync_case_process for a case whose process the caller's transaction holds
    (_lock_process), read with _followed after it took the lock.

    A run followed its case until the change it recorded (Process.data["change"]); a run
    whose case was closed since ends at that closure, as if synced then (its stage task done
    by whoever closed it), and a case reopened meanwhile gets a new run for the period it is
    open again: a closure and a reopening between two dispatcher runs are not lost.
    """
    last = case.last_change_id or 0
    if not case.runs:  # a new case, or a reopened one: a new run
        if case.state == CaseState.CLOSED:
            return None
        # The stage read with the case is the one the run follows (a later change is synced
        # by the next run), and the flow's gateways need not read it again for each branch.
        with flow_sees_stage(case.state), new_run():
            return CaseFlow.start.run(case=case, change=last)
    process = CaseProcess.active_for(case).first()
    if process is not None and (closure := _missed_closure(case, process)):
        with flow_sees_stage(CaseState.CLOSED):
            _close_left_behind_all(case, CaseState.CLOSED, closure)
        process = None
    with flow_sees_stage(case.state):
        if process is None:  # closed and reopened since the last sync: a new run
            if case.state == CaseState.CLOSED:
                return None
            with new_run():
                return CaseFlow.start.run(case=case, change=last)
        _close_left_behind_all(case, case.state, _change(last))
    if last and process.data.get("change") != last:
        process.data = {**process.data, "change": last}
        process.save(update_fields=["data"])
    return process


def _change(pk: int) -> StateChange | None:
    """The stage change, with the actor who made it, who does the task it ends (None: none
    since the intake). Read by its id, which the case came with (issue 15: the dispatcher
    read the case's last change again, and then its actor, for every case moved on)."""
    return StateChange.objects.select_related("actor").filter(pk=pk).first() if pk else None


def _missed_closure(case: Case, process: CaseProcess) -> StateChange | None:
    """The first closure of the case after the last change its run followed: the run ends
    there (None: the run is of the case's current open period)."""
    # With the actor who closed it, who does the run's last task.
    closures = case.state_changes.filter(transition="close").select_related("actor")
    followed = process.data.get("change")
    if followed is None:  # a run started before runs recorded it: synced in its transaction
        closures = closures.filter(at__gt=process.created)
    else:
        closures = closures.filter(pk__gt=followed)
    # Not past the change read with the case: a later one, committed since, is the next run's.
    return closures.filter(pk__lte=case.last_change_id or 0).order_by("pk").first()


def _close_left_behind_all(case: Case, stage: str, change: StateChange | None) -> None:
    for task in _left_behind(case, stage):
        _close_left_behind(task, change)


def follow_case_stage(sender, *, case: Case, **kwargs) -> None:
    """Receiver of cases.signals.stage_changed: the process is to follow the case's stage.

    One INSERT in the caller's transaction; when a sync of the case is already pending, its
    row only gets a new `change` mark, which tells a dispatcher syncing the case meanwhile to
    leave the row. The dispatcher does the rest once this has committed."""
    PendingProcessSync.objects.bulk_create(
        [PendingProcessSync(case=case)],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["change"],
    )


# Cases synced per dispatcher transaction: one transaction per case cost a BEGIN, a COMMIT and
# three reads per case (issue 15).
SYNC_BATCH = 50


def oldest_pending_sync() -> datetime | None:
    """When the case that has waited longest for the dispatcher changed (None: none waits)."""
    return PendingProcessSync.objects.aggregate(oldest=models.Min("since"))["oldest"]


def sync_pending_processes(*, batch_size: int = SYNC_BATCH) -> int:
    """Sync the process of every case with a pending sync, oldest first; how many were synced.

    A batch of cases at a time, in one transaction, which holds their processes
    (_lock_process), reads the cases, syncs each and deletes their rows: a row goes only with
    the sync that committed, and only if no change of its case committed meanwhile (the
    case's rows are not locked: a transition never waits for the dispatcher). A process
    another transaction holds (another dispatcher) is left for the next run. When the
    sync of one case fails, its batch is rolled back, the failure counted on its row and
    logged, and the others are synced again without it: a failing case is retried by the
    next run without holding up the others. Idempotent: two dispatchers at once sync each
    case once.
    """
    synced, passed = 0, set()  # passed: failed in this run
    while True:
        try:
            taken = _sync_batch(passed, batch_size)
        except _SyncFailed as failure:
            logger.error(
                "Could not sync the process of case %s.",
                failure.case_id,
                exc_info=failure.__cause__,
            )
            PendingProcessSync.objects.filter(case_id=failure.case_id).update(
                attempts=models.F("attempts") + 1,
                # Only the class: an error's text may quote a value of the case, and this
                # column is not encrypted (the log has the whole traceback).
                last_error=type(failure.__cause__).__name__,
            )
            passed.add(failure.case_id)
            continue
        synced += taken
        if taken < batch_size:
            return synced


class _SyncFailed(Exception):
    """The sync of one case of a batch failed (the error is the cause)."""

    def __init__(self, case_id: int):
        super().__init__(case_id)
        self.case_id = case_id


def _sync_batch(passed: set[int], batch_size: int) -> int:
    """Sync up to batch_size pending cases but those passed, in one transaction; how many."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # within a caller's transaction, its commit is the caller's
            _commit_without_waiting_for_the_disk()
        # Read after their processes are held, so that a sync another dispatcher committed
        # meanwhile is seen (its outbox row gone, or the case's later stage).
        held = _hold_pending(passed, batch_size)
        cases = list(
            _followed(Case.objects.filter(pk__in=held, pending_process_sync__isnull=False))
            .select_related("pending_process_sync")
            .order_by("pending_process_sync__since", "pk")
        )
        for case in _start_new_runs(cases):
            try:
                _sync_followed(case)
            except Exception as exc:
                raise _SyncFailed(case.pk) from exc
        _delete_synced(cases)
    return len(cases)


def _start_new_runs(cases: list[Case]) -> list[Case]:
    """Start the runs of the batch's new cases (most of them) in a few INSERTs for all
    (flows.start_runs); the cases left to sync one by one. If that fails, nothing of it is
    kept (a savepoint) and the new cases are left too, so that a case that cannot be started
    is found, and passed, alone."""
    opened = started_in_bulk()
    fresh = [case for case in cases if not case.runs and case.state in opened]
    if not fresh:
        return cases
    try:
        with transaction.atomic():
            start_runs([(case, case.last_change_id or 0) for case in fresh])
    except Exception:
        logger.warning("Could not start %d runs at once; starting each alone.", len(fresh))
        return cases
    return [case for case in cases if case not in fresh]


def _hold_pending(passed: set[int], batch_size: int) -> list[int]:
    """The oldest pending cases but those passed, at most batch_size, whose processes this
    transaction now holds; a process another transaction holds is skipped, not waited for."""
    pending = PendingProcessSync.objects.exclude(case_id__in=passed).order_by("since", "case_id")
    if connection.vendor != "postgresql":  # SQLite writes one at a time
        return list(pending.values_list("case_id", flat=True)[:batch_size])
    # The candidates are read first (MATERIALIZED), so that the locks are tried on them
    # alone, never on every pending row.
    candidates, params = pending.values("case_id", "since")[:batch_size].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH candidates AS MATERIALIZED ({candidates})"  # noqa: S608 (the ORM's SQL)
            " SELECT case_id FROM candidates"
            f" WHERE pg_try_advisory_xact_lock({_process_lock_key('case_id')})",
            params,
        )
        return [case_id for (case_id,) in cursor.fetchall()]


def _delete_synced(cases: list[Case]) -> None:
    """Delete the outbox rows of the synced cases, each only if its `change` mark is the one
    read with the case: a change committed since gave it a new one, and the row stays for the
    next run (a change still uncommitted holds the row: the deletion waits for it)."""
    if cases:
        read = Q()
        for case in cases:
            read |= Q(case_id=case.pk, change=case.pending_process_sync.change)
        PendingProcessSync.objects.filter(read).delete()


def _commit_without_waiting_for_the_disk() -> None:
    """The dispatcher's transaction commits without waiting for its WAL to reach the disk
    (PostgreSQL's synchronous_commit off, for this transaction only), so that the processes
    and outbox rows it holds are free again as soon as it commits, not after an fsync as
    well: a change of one of its cases waits for the deletion of its outbox row. Nothing can
    be lost: a crash before the WAL is
    written undoes the syncs and the deletion of their outbox rows together, and the next run
    syncs the cases again; and any later change of a case, a synchronous commit, writes the
    WAL up to it first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def reconcile_processes() -> int:
    """Start or sync the process of every case out of step with it; the number reconciled.

    The candidates come from one query (_out_of_step_cases). It runs in the deadline sweep,
    which must go on whatever happens here: failures are logged, never raised, and a case
    whose sync fails is left for the next run without holding up the others.
    """
    try:
        cases = list(_out_of_step_cases())
    except Exception:
        logger.exception("Could not look for cases out of step with their process.")
        return 0
    return sum(_reconcile(case) for case in cases)


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
    _require_open(task, case, STAGE_TRACK)
    case = transition_case(
        actor,
        case,
        transition,
        reason=reason,
        closure_reason=closure_reason,
        duplicate_of=duplicate_of,
        expected_version=case.version if expected_version is None else expected_version,
    )
    return case


def complete_support_track(actor: User, task: CaseTask) -> Case:
    """Do the support track of a person being identified: the support is set up.

    Only a unit the task waits for may do it (403), once a protection measure or a support
    service is recorded for the case (400); the flow's Join then waits for identification.
    """
    with transaction.atomic():
        case = _locked(task.case)
        task.refresh_from_db()
        _require_open(task, case, SUPPORT_TRACK)
        if not task.may_be_worked_by(actor):
            raise NotAllowed(_("Your unit does not provide support on this case."))
        if not (case.protections.exists() or case.services.exists()):
            raise InvalidInput(
                _("Record at least one protection measure or support service first."),
                "missing_records",
            )
        _complete(task, actor, {})
        record_event(
            "task.complete", actor=actor, case=case, obj=task, details={"track": task.track}
        )
    return case


def _locked(case: Case) -> Case:
    """The case row locked, and its process held (_lock_process)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _lock_process(case.pk)
    return case


def _require_open(task: CaseTask, case: Case, track: str) -> None:
    """409 for a task already done or of a stage the case has left; 400 for the wrong kind."""
    if not task.is_open or task.stage != case.state:
        raise Conflict(_("This task is already done; reload your tasks."), "task_done")
    if task.track != track:
        raise InvalidInput(
            _("A stage task is done by a transition; the support track without one."),
            "wrong_task",
        )


def _left_behind(case: Case, stage: str) -> list[CaseTask]:
    """Open tasks of another stage than `stage` (the case's), parallel tracks first.

    A track is cancelled before its stage task is done, so that the Join, reached by the
    stage task, finds no branch still open and routes on.
    """
    left = [task for task in open_tasks(case) if task.stage != stage]
    return sorted(left, key=lambda task: task.track == STAGE_TRACK)


def _close_left_behind(task: CaseTask, change: StateChange | None) -> None:
    """A stage task is done by whoever moved the case on; a parallel track is cancelled."""
    data = {"transition": change.transition, "state_change": change.pk} if change else {}
    if task.track == STAGE_TRACK:
        _complete(task, change.actor if change else None, data)
    else:
        with task.activation() as activation:
            activation.task.data = {**activation.task.data, **data}
            activation.cancel()


def _complete(task: CaseTask, actor: User | None, data: dict) -> None:
    """Mark the human task done by the actor, with data, and let the flow go on from it."""
    with task.activation() as activation:
        activation.task.data = {**activation.task.data, **data}
        if activation.assign.can_proceed():
            activation.assign(actor)
        else:
            activation.reassign(actor)
        activation.start(None)
        activation.execute()


def _reconcile(case: Case) -> bool:
    """Sync one case's process; False (logged) when that fails."""
    try:
        sync_case_process(case)
    except Exception:
        logger.exception("Could not bring the process of case %s in step.", case.uuid)
        return False
    return True


def _out_of_step_cases() -> QuerySet[Case]:
    """Cases whose process is missing or out of step, in one query.

    Open cases without an open task of their stage (no process), and cases with an open task
    their stage does not call for (a sync that never ran).
    """
    tasks = _open_human_tasks().filter(
        process__artifact_content_type=case_content_type(),
        process__artifact_object_id=OuterRef("pk"),
    )
    expected = tasks.filter(flow_task=OuterRef("stage_task"))
    unexpected = tasks.exclude(flow_task=OuterRef("stage_task")).exclude(
        flow_task=OuterRef("track_task")
    )
    return (
        Case.objects.annotate(
            stage_task=_task_ref(STAGE_TRACK), track_task=_task_ref(SUPPORT_TRACK)
        )
        .filter((~Q(state=CaseState.CLOSED) & ~Exists(expected)) | Exists(unexpected))
        .order_by("pk")
    )


def _task_ref(track: str) -> models.Case:
    """The stored reference of the node of this track that the case's stage calls for, or ""."""
    nodes = [
        node
        for node in CaseFlow.instance.nodes()
        if isinstance(node, CaseTaskNode) and node.track == track
    ]
    return models.Case(
        *[models.When(state=node.stage, then=models.Value(get_task_ref(node))) for node in nodes],
        default=models.Value(""),
        output_field=models.CharField(),
    )
