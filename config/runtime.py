"""The web process's garbage collector, set for a long-running server (issue 15).

CPython collects its youngest generation every 700 net allocations of container objects. A
page of fifty overdue referrals allocates thousands, so each request ran several collections
and promoted its own short-lived objects to the oldest generation; a full collection then
visited the whole loaded project (the views, serializers and translations imported by the
first requests: some 200,000 objects, 60 to 260 ms of CPU on the bench machine) and landed on
one request every few dozen pages. The p95 of every page was about twice its p50.
"""

import gc

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
