"""Deployment checks: refuse to look healthy when keys are missing or malformed."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .keys import get_key_provider, index_root_key


@checks.register(checks.Tags.security, deploy=True)
def check_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for name, load in (("key provider", get_key_provider), ("blind-index key", index_root_key)):
        try:
            load()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(f"{name}: {exc}", id="security.E010"))
    return errors
