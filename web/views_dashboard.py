"""The supervisors' dashboard: each target of the plans with its rate against the goal, and
its trend over the last quarters as server-drawn SVG charts (web.charts)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from agencies.models import Role
from config.errors import DomainError
from reports.selectors import targets_dashboard
from rulebooks.periods import current_quarter

from .charts import bar_chart
from .views import page


@page(Role.SUPERVISOR, area="reports")
def dashboard(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period") or current_quarter(timezone.now())
    try:
        data = targets_dashboard(request.user, period)
    except DomainError as exc:
        return render(
            request, "web/dashboard.html", {"period": period, "error": exc.detail}, status=400
        )
    targets = [target | {"chart": _chart(target)} for target in data["targets"]]
    return render(
        request, "web/dashboard.html", {"period": period, "report": data, "targets": targets}
    )


def _chart(target: dict):
    points = [
        (
            gettext("Q%(quarter)s/%(year)s") % {"quarter": p["quarter"], "year": p["year"]},
            p["achieved_percent"],
            p["status"],
        )
        for p in target["trend"]
    ]
    fixed_goal = target["comparison"] != "rises_by_at_least"
    return bar_chart(points, target["target_percent"] if fixed_goal else None)
