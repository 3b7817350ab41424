from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Overdue handoffs, case timelines, timeliness per unit, and the deadline sweep."""

    name = "supervision"
    verbose_name = _("Supervision")
