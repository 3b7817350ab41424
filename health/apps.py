from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Health: liveness and readiness probes")

    def ready(self) -> None:
        from . import (
            metrics,  # noqa: F401  (connects the task-failure counter to Celery)
            system_checks,  # noqa: F401  (registers the database's checks)
        )
