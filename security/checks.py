"""System checks: refuse to look healthy when keys are missing or two-factor is half-wired."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from .keys import get_key_provider, index_root_key

TWO_FACTOR_MIDDLEWARE = "security.middleware.RequireTwoFactorMiddleware"


@checks.register(checks.Tags.security, deploy=True)
def check_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for name, load in (("key provider", get_key_provider), ("blind-index key", index_root_key)):
        try:
            load()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(f"{name}: {exc}", id="security.E010"))
    return errors


@checks.register(checks.Tags.urls)
def check_two_factor_page(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """The middleware sends people to security:two_factor; without the page they are stuck."""
    if TWO_FACTOR_MIDDLEWARE not in settings.MIDDLEWARE:
        return []
    try:
        reverse("security:two_factor")
    except NoReverseMatch:
        return [
            checks.Error(
                "RequireTwoFactorMiddleware is enabled but security.urls is not included.",
                hint='Add path("security/", include("security.urls")) to the root URLconf.',
                id="security.E011",
            )
        ]
    return []
