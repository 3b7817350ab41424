"""The case's inter-agency process as proxies of viewflow's Process and Task (no new tables).

A process is linked to its case through viewflow's `artifact` generic relation; `Process.data`
holds only the case's UUID, a pseudonymous reference (DESIGN.md §3). Each open period of a case
(from intake or reopening until closure) is one process.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from cases.models import Case

# Statuses of a human task that still waits for someone.
OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


# The stage the flow's gateways see instead of reading it again: the stage read with the case
# by the dispatcher, which holds its process, or a closure it missed and replays
# (workflows.services).
_stage_seen: ContextVar[str | None] = ContextVar("stage_seen", default=None)


@contextmanager
def flow_sees_stage(stage: str) -> Iterator[None]:
    """Within the block, CaseProcess.case_state() answers `stage`."""
    token = _stage_seen.set(stage)
    try:
        yield
    finally:
        _stage_seen.reset(token)


def case_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Case)


class CaseProcess(Process):
    """One run of the inter-agency process for one case."""

    class Meta:
        proxy = True
        # viewflow adds "manage" when a flow is declared; fixed here so migrations are stable.
        default_permissions = ("add", "change", "delete", "view", "manage")
        verbose_name = "case process"
        verbose_name_plural = "case processes"

    @property
    def case(self):
        """The case (read through the artifact link)."""
        return self.artifact

    def case_state(self) -> str:
        """The case's stage as stored now, never a cached copy (or, within flow_sees_stage,
        the stage its caller read with the case, or of a missed closure replayed)."""
        if (stage := _stage_seen.get()) is not None:
            return stage
        return Case.objects.values_list("state", flat=True).get(pk=self.artifact_object_id)

    @classmethod
    def active_for(cls, case) -> QuerySet["CaseProcess"]:
        """Running processes of the case (at most one, kept so by workflows.services)."""
        return cls.objects.filter(
            artifact_content_type=case_content_type(),
            artifact_object_id=case.pk,
            status=PROCESS.NEW,
        )


class CaseTask(Task):
    """A task of a case process; human tasks carry their stage and their track."""

    class Meta:
        proxy = True
        verbose_name = "case task"
        verbose_name_plural = "case tasks"

    @property
    def stage(self) -> str | None:
        """The case stage this human task belongs to (None for gateways and timers)."""
        return getattr(self.flow_task, "stage", None)

    @property
    def track(self) -> str | None:
        """What the human task stands for: its stage's work or a parallel track (flows)."""
        return getattr(self.flow_task, "track", None)

    @property
    def case(self):
        return self.process.artifact

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    def may_be_worked_by(self, user) -> bool:
        """Whether the task belongs in the user's inbox.

        It must be open, with its case in its stage, and its node (workflows.flows) must
        admit the user.
        """
        case = self.case
        if not self.is_open or case is None or case.state != self.stage:
            return False
        return self.flow_task.may_be_worked_by(user, case)


__all__ = ["CaseProcess", "CaseTask"]
