from django import template
from django.utils.translation import ngettext

from rulebooks.purposes import PURPOSE_CHOICES

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """How long, in days and hours (or minutes under an hour): "3 ngày 4 giờ"."""
    if seconds is None:
        return "–"
    minutes = int(seconds) // 60
    days, hours = divmod(minutes // 60, 24)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours or (days and not parts):
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if not days and not hours:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


@register.filter
def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


@register.filter
def purpose_label(code: str) -> str:
    """The readable name of a referral purpose code ("reception" → "Tiếp nhận...")."""
    return str(dict(PURPOSE_CHOICES).get(code, code))


@register.filter
def name_of(code: str | None, names: dict) -> str:
    """A unit's name from its code (names: code → name); the code itself if unknown."""
    return names.get(code, code) if code else "–"
