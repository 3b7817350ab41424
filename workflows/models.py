"""The case process's models: proxies of viewflow's Process and Task (workflows.process), and
the outbox of process changes that the requests leave to the dispatcher (workflows.dispatch)."""

import uuid

from django.db import models
from django.utils import timezone

from cases.models import Case

from .process import CaseProcess, CaseTask


class PendingProcessSync(models.Model):
    """A case whose process must be brought in line with its stage (a transactional outbox row).

    Written in the transaction that opened the case or moved it (cases.signals.stage_changed),
    so it exists exactly when that change committed; deleted by the dispatcher in the
    transaction that syncs the process. One row per case: a second change before the dispatch
    only gives it a new `change` mark, and the dispatch brings the process to the stage the
    case has then.

    The dispatcher deletes the row only if its mark is still the one it read with the case: a
    change committed while it synced (transitions do not wait for the dispatcher) leaves the
    row, and the next run syncs that change too.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="pending_process_sync"
    )
    since = models.DateTimeField(default=timezone.now)
    change = models.UUIDField(default=uuid.uuid4)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["since"], name="pending_process_sync_since")]


__all__ = ["CaseProcess", "CaseTask", "PendingProcessSync"]
