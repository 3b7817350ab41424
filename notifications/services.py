"""Changes to in-app notifications made by the person they are for."""

from django.utils import timezone

from agencies.models import User

from .models import Notification


def mark_all_read(user: User) -> int:
    """Mark the person's unread notifications read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
