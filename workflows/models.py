"""The case process's models: proxies of viewflow's Process and Task (workflows.process), and
the outbox of process changes that the requests leave to the dispatcher (workflows.dispatch)."""

from django.db import models
from django.utils import timezone

from cases.models import Case

from .process import CaseProcess, CaseTask


class PendingProcessSync(models.Model):
    """A case whose process must be brought in line with its stage (a transactional outbox row).

    Written in the transaction that opened the case or moved it (cases.signals.stage_changed),
    so it exists exactly when that change committed; deleted by the dispatcher in the
    transaction that syncs the process. One row per case: a second change before the dispatch
    adds nothing, the dispatch brings the process to the stage the case has then.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="pending_process_sync"
    )
    since = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["since"], name="pending_process_sync_since")]


__all__ = ["CaseProcess", "CaseTask", "PendingProcessSync"]
