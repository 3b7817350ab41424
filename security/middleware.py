"""Send supervisors and administrators without a verified second factor to the TOTP page."""

from urllib.parse import urlencode

from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .two_factor import needs_second_factor

# Views a half-signed-in user may reach: the two-factor page itself, leaving, the language.
EXEMPT_VIEWS = frozenset({"security:two_factor", "login", "logout", "set_language"})


class RequireTwoFactorMiddleware:
    """Place after django_otp.middleware.OTPMiddleware."""

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
