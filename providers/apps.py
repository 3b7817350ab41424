from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    """Support-service providers, their places, and matching a victim's needs to them."""

    name = "providers"
    verbose_name = _("Service providers")

    def ready(self) -> None:
        from referrals.signals import referral_moved

        from .services import follow_referral

        referral_moved.connect(follow_referral, dispatch_uid="providers.follow_referral")
