"""Supervisor pages (giám sát): overdue handoffs, a case's timeline as a chart, timeliness."""

import uuid
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import unit_names
from cases.selectors import get_visible_case
from config.errors import InvalidInput, NotFound
from rulebooks.periods import current_quarter

from . import selectors
from .gantt import build_chart
from .timeline import referral_events


def supervisor_required(view):
    """Signed in, a supervisor; NotFound from a selector becomes a 404 page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role != Role.SUPERVISOR or request.user.unit_id is None:
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc

    return wrapped


@supervisor_required
def overdue(request: HttpRequest) -> HttpResponse:
    try:
        after = uuid.UUID(request.GET["after"]) if request.GET.get("after") else None
        rows = selectors.overdue_referrals(request.user, after=after)
    except (ValueError, InvalidInput) as exc:
        raise Http404 from exc
    more = len(rows) == selectors.OVERDUE_PAGE
    return render(request, "supervision/overdue.html", {"rows": rows, "more": more})


@supervisor_required
def case_timeline(request: HttpRequest, case_id) -> HttpResponse:
    case = get_visible_case(request.user, case_id)
    context = {
        "case": case,
        "chart": build_chart(case),
        "events": referral_events(case),
        "unit_names": unit_names(),
    }
    return render(request, "supervision/timeline.html", context)


@supervisor_required
def timeliness(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period") or current_quarter(timezone.now())
    try:
        figures = selectors.timeliness(request.user, period)
    except InvalidInput as exc:
        context = {"period": period, "error": exc.detail}
        return render(request, "supervision/timeliness.html", context, status=400)
    return render(request, "supervision/timeliness.html", {"period": period, "figures": figures})
