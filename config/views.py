import sys

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from .api_errors import DATABASE_ERRORS, RETRY, database_unavailable


@login_required
def home(request):
    return render(request, "home.html")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"error": "invalid", "detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """Refusals answer API clients in the API's error format; pages in the product's look."""
    if _is_api(request):
        detail = _("You do not have permission to perform this action.")
        return JsonResponse({"error": "forbidden", "detail": detail}, status=403)
    return defaults.permission_denied(request, exception)


def not_found(request, exception=None):
    """Unknown API paths answer in the API's error format; pages get the product's 404 page
    (never the list of URL patterns)."""
    if _is_api(request):
        return JsonResponse({"error": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Even a bug answers API clients in the API's error format, never with a stack trace.

    A database outage met outside the API views (in a middleware reading the session) is a
    503 with the API's database_unavailable error, like one met inside them."""
    if _is_api(request) and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return JsonResponse(database_unavailable(), status=503, headers=RETRY)
    if _is_api(request):
        return JsonResponse({"error": "server_error", "detail": _("Internal error.")}, status=500)
    return defaults.server_error(request)
