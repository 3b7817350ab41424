"""Reads of notifications."""

from django.conf import settings
from django.db.models import QuerySet

from agencies.models import User

from .models import Notification, OutboxMessage


def notifications_for(user: User) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    """How many of the person's in-app notifications are unread (the badge)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def outbox_backlog() -> dict[str, int]:
    """Unsent outbox messages: those still retried by the sweep, and those that failed too often
    and wait for an administrator."""
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    given_up = unsent.filter(attempts__gte=settings.LOIVE_OUTBOX_MAX_ATTEMPTS).count()
    return {"retrying": unsent.count() - given_up, "given_up": given_up}
