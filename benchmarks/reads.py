"""The pages' reads over HTTP, each beside the cheapest authenticated read of the same run."""

from dataclasses import dataclass

from django.db.models import Count
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from agencies.models import User
from cases.models import Case, CaseState, Person, PersonRole
from security.testing import force_verified_login

from .http_load import LoadResult, merged, run_load

BASELINE = "/bench/signed-in/"
# Reads of each figure's page, and of the baseline, by each of 8 clients before any is timed:
# enough for each server thread to settle every statement's plan (measure).
WARM_UP_PER_CLIENT = 12


@dataclass(frozen=True)
class Read:
    figure: str
    username: str
    path: str
    body: dict | None = None  # a POST that only reads (the duplicate lookup)
    figure_name: str = ""  # the figure of issue 15 it gives (bench --json), if any
    # Requests timed at most, for a slow read whose figure is its time, not a ratio whose
    # p95 needs many (the report: a third of a second each at full volume).
    at_most: int | None = None
    finds: str = ""  # text its answer holds, else the run fails (the case the lookup finds)


def session_headers(username: str) -> dict:
    """Cookies of a signed-in session (two factors verified) and a CSRF pair for POSTs."""
    client = Client()
    force_verified_login(client, User.objects.get(username=username))
    csrf = get_random_string(32)
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/json",
    }


def _timeline_case(originals: int) -> Case:
    """The newest copy of the original case with the most referrals (a copy decrypts like
    an original: benchmarks.volume), or that case itself when nothing was copied."""
    original = (
        Case.objects.filter(pk__lte=originals)
        .annotate(handoffs=Count("referrals"))
        .order_by("-handoffs", "pk")
        .first()
    )
    copies = Case.objects.filter(number__startswith=f"{original.number}-", pk__gt=originals)
    return copies.order_by("-pk").first() or original


def _victim_in_open_police_case(originals: int) -> Person:
    """A victim with a phone in an open original case the police unit holds: the duplicate
    lookup by that phone finds the case, as it does when a victim calls again."""
    return (
        Person.objects.filter(
            case__holdings__unit__code="lc-police", case_id__lte=originals, role=PersonRole.VICTIM
        )
        .exclude(phone_index="")
        .exclude(case__state=CaseState.CLOSED)
        .select_related("data_key", "case")
        .order_by("pk")
        .first()
    )


def reads(originals: int) -> list[Read]:
    """The figures; `originals` is the largest id of a case that was not copied."""
    year = timezone.localdate().year
    timeline = _timeline_case(originals).uuid
    caller = _victim_in_open_police_case(originals)
    return [
        Read("case_list_supervisor", "demo-supervisor", "/api/v1/cases/", None, "case_list_p95"),
        Read("case_list_police", "demo-police", "/api/v1/cases/"),
        Read("overdue", "demo-supervisor", "/api/v1/supervision/overdue/", None, "overdue_p95"),
        Read(
            "timeline",
            "demo-supervisor",
            f"/api/v1/cases/{timeline}/timeline/",
            None,
            "timeline_p95",
        ),
        Read(
            "report_year",
            "demo-supervisor",
            f"/api/v1/reports/periodic/?period={year}",
            None,
            "report_year",
            at_most=40,
        ),
        Read(
            "duplicate_lookup",
            "demo-police",
            "/api/v1/intakes/duplicates/",
            {
                "channel": "hotline",
                "narrative": "lookup",
                "victim": {"full_name": "Tra Cứu", "phone": caller.phone},
            },
            "duplicate_lookup_p95",
            finds=caller.case.number,
        ),
    ]


def measure(port: int, read: Read, requests: int) -> tuple[LoadResult, LoadResult]:
    """The read and the baseline as the same user, one request of each in turn, so that both
    see the same load of a shared machine."""
    headers = session_headers(read.username)
    requests = min(requests, read.at_most or requests)
    body = None if read.body is None else (lambda client, n: read.body)
    # Warm every server thread (2 workers x 4 threads), as a server that has been running is:
    # each thread's first read of a page pays its database connection's first use, and its
    # first seven runs of each statement pay PostgreSQL's planning (psycopg prepares a
    # statement on its second run, and PostgreSQL plans the first five runs of a prepared
    # statement for their values before it settles on a generic plan). Two reads a thread
    # left a fifth of the timed reads planned: the overdue page took 8-11 ms on those, 6-8
    # ms once settled (issue 15).
    warm = 2 if read.at_most else WARM_UP_PER_CLIENT
    run_load(port, read.path, body, clients=8, requests_per_client=warm, headers=headers)
    run_load(port, BASELINE, None, clients=8, requests_per_client=warm, headers=headers)
    results, baselines = [], []
    for _ in range(requests):
        baselines.append(
            run_load(port, BASELINE, None, clients=1, requests_per_client=1, headers=headers)
        )
        results.append(
            run_load(port, read.path, body, clients=1, requests_per_client=1, headers=headers)
        )
    return merged(results), merged(baselines)
