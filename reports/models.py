"""Case-level exports run in the background (Celery), polled by whoever asked for them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One requested export: its archive is encrypted with a password only the requester was
    given; the job keeps neither the password nor anything that identifies a victim."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, default="htcds")
    period = models.CharField(_("period"), max_length=16)
    k = models.PositiveSmallIntegerField(_("k-anonymity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    row_counts = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
