"""Sign-in lockout (django-axes): per username and address, per address, and the answer shown.

Two limits, both counted over a fixed cool-off (AXES_COOLOFF_TIME) from the failure that
tripped them; attempts made while locked are not recorded, so they cannot extend it
(AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False):

* AXES_FAILURE_LIMIT failures for one username from one address lock that pair only: the same
  person can still sign in from another office, and nobody can lock someone else out from afar.
* LOIVE_LOCKOUT_IP_FAILURES failures from one address, whatever the usernames, lock the address
  (password spraying). Higher than the first: a hotline centre shares one address.

Axes compares one failure count with one limit; LockoutHandler reports, for each lockout
parameter, its failures scaled to AXES_FAILURE_LIMIT, so each parameter locks at its own limit.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

IP_ONLY = "ip_address"


def _limit_for(parameter, base_limit: int) -> int:
    if parameter == IP_ONLY:
        return max(int(settings.LOIVE_LOCKOUT_IP_FAILURES), 1)
    return base_limit


class LockoutHandler(AxesDatabaseHandler):
    """The database handler with a separate (higher) limit for the address-only parameter."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The largest failure count, each scaled so that reaching its own limit reaches
        AXES_FAILURE_LIMIT: floor(n * base / limit) >= base exactly when n >= limit."""
        base = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures * base // _limit_for(parameter, base))
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in forgives only its own username's failures from its address,
        never the address's failures under other usernames (which would reset the spray limit)."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: behind LOIVE_TRUSTED_PROXIES reverse proxies, the address the
    outermost trusted proxy saw (counted from the right of X-Forwarded-For, which proxies
    append to; what the client itself sent on the left is never trusted)."""
    trusted = int(getattr(settings, "LOIVE_TRUSTED_PROXIES", 0) or 0)
    if trusted:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR")


def _cool_off_minutes(request: HttpRequest) -> int:
    cool_off = get_cool_off(request) or timedelta(0)
    return max(int(cool_off.total_seconds() // 60), 1)


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts. Sign-in is paused for %(minutes)d minute; "
        "then try again, or ask an administrator to unlock your account.",
        "Too many failed sign-in attempts. Sign-in is paused for %(minutes)d minutes; "
        "then try again, or ask an administrator to unlock your account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: JSON for the API, a page in the product's look for people."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    minutes = _cool_off_minutes(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "locked_out", "detail": lockout_message(minutes)}, status=status
        )
    context = {"title": _("Sign-in paused"), "message": lockout_message(minutes)}
    return render(request, "security/locked_out.html", context, status=status)
