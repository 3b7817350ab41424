"""Reads of notifications."""

from django.db.models import QuerySet

from agencies.models import User

from .models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    """How many of the person's in-app notifications are unread (the badge)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
