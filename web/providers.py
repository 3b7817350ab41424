"""The service providers' page: places and places taken, per province and per provider,
for supervisors (issue 12: "supervisors see occupancy per province")."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Role
from providers.selectors import active_providers, occupancy_by_province

from .views import page


@page(Role.SUPERVISOR, area="providers")
def occupancy(request: HttpRequest) -> HttpResponse:
    rows = occupancy_by_province(request.user)
    providers = active_providers().order_by("unit__province__name", "unit__name")
    return render(
        request, "web/providers_occupancy.html", {"rows": rows, "providers": list(providers)}
    )
