"""The case's inter-agency process as proxies of viewflow's Process and Task (no new tables).

A process is linked to its case through viewflow's `artifact` generic relation; `Process.data`
holds only the case's UUID, a pseudonymous reference (DESIGN.md §3). Each open period of a case
(from intake or reopening until closure) is one process.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

# Statuses of a human task that still waits for someone.
OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _case_model():
    from cases.models import Case

    return Case


def case_content_type() -> ContentType:
    return ContentType.objects.get_for_model(_case_model())


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
        """The case's stage as stored now, never a cached copy."""
        return _case_model().objects.values_list("state", flat=True).get(pk=self.artifact_object_id)

    @classmethod
    def active_for(cls, case) -> QuerySet["CaseProcess"]:
        """Running processes of the case (at most one, kept so by workflows.services)."""
        return cls.objects.filter(
            artifact_content_type=case_content_type(),
            artifact_object_id=case.pk,
            status=PROCESS.NEW,
        )


class CaseTask(Task):
    """A task of a case process; human tasks carry the stage they stand for."""

    class Meta:
        proxy = True
        verbose_name = "case task"
        verbose_name_plural = "case tasks"

    @property
    def stage(self) -> str | None:
        """The case stage this human task stands for (None for gateways and timers)."""
        return getattr(self.flow_task, "stage", None)

    @property
    def case(self):
        return self.process.artifact

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    def may_be_worked_by(self, user) -> bool:
        """Whether the task belongs in the user's inbox: see cases.permissions.may_transition.

        The user may move the case on from the task's stage; closing counts only where it is
        the one way on (the support stage), so that a lead unit's right to close any case
        does not fill its inbox with other agencies' stages.
        """
        from cases.permissions import SUPERVISOR_TRANSITIONS, may_transition

        case = self.case
        if not self.is_open or case is None or case.state != self.stage:
            return False
        names = [t.name for t in case.get_available_state_transitions()]
        onward = [name for name in names if name not in SUPERVISOR_TRANSITIONS] or names
        return any(may_transition(user, case, name) for name in onward)


__all__ = ["CaseProcess", "CaseTask"]
