from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The transactional outbox, in-app notifications and e-mail."""

    name = "notifications"
    verbose_name = _("Notifications")
