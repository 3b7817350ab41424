from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """The inter-agency process (django-viewflow), following the case state machine."""

    name = "workflows"
    verbose_name = _("Inter-agency process")

    def ready(self) -> None:
        from cases.signals import stage_changed

        from .services import follow_case_stage

        stage_changed.connect(follow_case_stage, dispatch_uid="workflows.follow_case_stage")
