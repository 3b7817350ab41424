"""Reads of the organisation."""

from .models import Unit


def unit_names() -> dict[str, str]:
    """Unit code → name, for pages that show units by name (one query)."""
    return dict(Unit.objects.values_list("code", "name"))
