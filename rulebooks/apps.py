from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulebooksConfig(AppConfig):
    """The law as data: stages' responsible agencies, deadlines, eligibility, citations."""

    name = "rulebooks"
    verbose_name = _("Rulebooks")
