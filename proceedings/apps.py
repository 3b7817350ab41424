from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceedingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "proceedings"
    verbose_name = _("Criminal proceedings")
