from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security: keys, encryption and audit")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
