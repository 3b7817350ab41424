"""Helpers of the criminal-track pages."""

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def seconds_until(due: datetime | None, now: datetime) -> int | None:
    """Seconds from `now` to `due` (negative once it passed), for the `time_left` filter."""
    return None if due is None else int((due - now).total_seconds())
