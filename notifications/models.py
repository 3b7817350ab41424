"""The notification outbox (hộp thư đi) and in-app notifications (thông báo).

A message is a row written in the transaction of the change that causes it, so a lost Redis
message or a stopped worker never loses a notification: the next sweep sends it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")


class OutboxMessage(models.Model):
    """A notification to send, written in the transaction of the change that causes it.

    Subject and body name the case number and purpose only, never who the victim is.
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], name="outbox_pending", condition=Q(sent_at__isnull=True))
        ]


class Notification(models.Model):
    """An in-app notification (thông báo); one per outbox message at most."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.OneToOneField(
        OutboxMessage, on_delete=models.PROTECT, related_name="notification"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]
