"""The web process's garbage collector, set for a long-running server (issue 15).

CPython collects its youngest generation every 700 net allocations of container objects. A
page of fifty overdue referrals allocates thousands, so each request ran several collections
and promoted its own short-lived objects to the oldest generation; a full collection then
visited the whole loaded project (the views, serializers and translations imported by the
first requests: some 200,000 objects, 60 to 260 ms of CPU on the bench machine) and landed on
one request every few dozen pages. The p95 of every page was about twice its p50.

What a request leaves for the collector is what it left in reference cycles: DRF ties each
response to itself, its view and request, and each serializer to the page it wrote
(encode/django-rest-framework#7250, acknowledged, never fixed). A page of fifty overdue
referrals left some 640 objects a request, so a collection of 3 to 8 ms landed on every
fifteenth page, about the p95; ReleaseResponseMiddleware cuts those ties once the page is
written, and reference counting frees it.
"""

import gc
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import get_resolver

# Net allocations of container objects between two collections of the youngest generation:
# a request's worth, so that its short-lived objects die before they are promoted.
YOUNGEST_GENERATION_THRESHOLD = 10_000


def settle_for_serving() -> None:
    """Import every view now (the URLconf), then freeze what is loaded: it lives as long as
    the process, so no collection needs to visit it again; collect the youngest generation
    a request's worth of allocations at a time."""
    get_resolver().url_patterns  # noqa: B018 (importing the views is the point)
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNGEST_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


class ReleaseResponseMiddleware:
    """Once a DRF response is written, cut the ties that would keep the request's objects in
    reference cycles: the response and its view in the renderer context, the view's request
    and response, and the serializers' copies of what they read and wrote. The response
    keeps its content and `data`. Nothing reads these after rendering: they are there for
    the renderers (encode/django-rest-framework#7250)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context and response.is_rendered:
            view = context.get("view")
            if view is not None:
                view.request = view.response = None
            context.clear()  # the view, the DRF request and the response itself
            for serializer in _serializers_of(response.data):
                _release(serializer)
        return response


# What a serializer keeps of a request once it has written: its input and output, which DRF
# tests for with `hasattr` (the instances it read and its arguments are reset below).
_SERIALIZER_RESULTS = ("initial_data", "_validated_data", "_data")


def _serializers_of(data) -> list:
    """The serializers whose output the response's data is or holds (a page's "results")."""
    parts = [data, *data.values()] if isinstance(data, dict) else [data]
    return [part.serializer for part in parts if getattr(part, "serializer", None) is not None]


def _release(serializer) -> None:
    """Forget what the serializer read and wrote, and its child's (a list's serializer of each
    item): they are in cycles with their fields, and would keep the page until a collection.
    It is left as if built without arguments."""
    while serializer is not None:
        state = serializer.__dict__
        state.update(instance=None, _args=(), _kwargs={})
        for name in _SERIALIZER_RESULTS:
            state.pop(name, None)
        serializer = state.get("child")
