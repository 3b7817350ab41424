"""The two-factor page: enrol an authenticator app once, then enter a code at each sign-in."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms import TokenForm
from .two_factor import confirmed_device, enrolment_device, qr_svg, verify_second_factor


@never_cache
@login_required
def two_factor(request):
    next_url = _safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if verify_second_factor(request, form.cleaned_data["token"]):
            return redirect(next_url)
        form.add_error("token", _("That code is not valid. Wait for a new code and try again."))
    return render(request, "security/two_factor.html", _context(request, form, next_url))


def _context(request, form: TokenForm, next_url: str) -> dict:
    context = {"form": form, "next": next_url, "enrolling": False}
    if confirmed_device(request.user) is None:
        uri = enrolment_device(request.user).config_url
        context.update(enrolling=True, otpauth_uri=uri, qr_svg=qr_svg(uri))
    return context


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL
