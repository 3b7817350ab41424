from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrossBorderConfig(AppConfig):
    name = "crossborder"
    verbose_name = _("Cross-border cooperation")
    default_auto_field = "django.db.models.BigAutoField"
