import sys

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.defaults import page_not_found

from .api_errors import DATABASE_ERRORS, RETRY, database_unavailable


@login_required
def home(request):
    return render(request, "home.html")


def not_found(request, exception=None):
    """Unknown API paths answer in the API's error format; pages get the usual 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not_found", "detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """Even a bug answers API clients in the API's error format, never with a stack trace.

    A database outage met outside the API views (in a middleware reading the session) is a
    503 with the API's database_unavailable error, like one met inside them."""
    if request.path.startswith("/api/") and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return JsonResponse(database_unavailable(), status=503, headers=RETRY)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "server_error", "detail": _("Internal error.")}, status=500)
    return defaults.server_error(request)
