"""Send supervisors and administrators without a verified second factor to the TOTP page."""

from urllib.parse import urlencode

from django.apps import apps
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from config.sql import CompiledRead, Slot, columns_of, instance_of

from .two_factor import needs_second_factor

# Views a half-signed-in user may reach: the two-factor page itself, leaving, the language.
EXEMPT_VIEWS = frozenset({"security:two_factor", "login", "logout", "set_language"})


# A device of one of django_otp's device models, by its id.
_DEVICES = CompiledRead(
    lambda model: model.objects.filter(pk=Slot("id", model._meta.pk)).values(*columns_of(model))
)


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django_otp's OTPMiddleware (the second factor a session was verified with, on
    request.user.otp_device), whose read of that device is compiled once per device model:
    django_otp builds and compiles it through the ORM on every request of a supervisor,
    which cost more than the database takes to answer (issue 15)."""

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        """The device of a persistent id ("otp_totp.totpdevice/3"), as
        Device.from_persistent_id finds it; None for an id naming no device."""
        label, _, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        try:
            model, pk = apps.get_model(label), int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(model, Device):
            return None
        rows = _DEVICES.rows(model, id=pk)
        return instance_of(model, rows[0]) if rows else None


class RequireTwoFactorMiddleware:
    """Place after VerifiedDeviceMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not needs_second_factor(getattr(request, "user", None)):
            return None
        if request.resolver_match.view_name in EXEMPT_VIEWS:
            return None
        detail = _("Two-factor verification is required for your role.")
        if request.path.startswith("/api/"):
            return JsonResponse({"error": "otp_required", "detail": detail}, status=403)
        try:
            page = reverse("security:two_factor")
        except NoReverseMatch:  # misconfigured (check security.E011): refuse, never let through
            return HttpResponseForbidden(detail)
        return redirect(f"{page}?{urlencode({'next': request.get_full_path()})}")
