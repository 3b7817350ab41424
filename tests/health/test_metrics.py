"""/metrics: each figure an operator watches is there and moves, and strangers cannot read it."""

import socket
import urllib.request
from datetime import timedelta

import pytest
from celery.signals import worker_ready
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app
from health.metrics import serve_worker_metrics
from notifications.models import OutboxMessage
from referrals.models import Referral
from tests.cast import give_consent, open_case, refer, refused

pytestmark = pytest.mark.django_db


def scrape(client, **headers) -> dict[tuple, float]:
    """Every sample of /metrics by (name, sorted labels)."""
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content[:300]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_intakes_are_counted_once_committed(client, cast, api, django_capture_on_commit_callbacks):
    series = {"channel": "border_handover", "opened_case": "true"}
    before = value(scrape(client), "loive_intakes_created_total", **series)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_case(api(cast.border_guard))
    assert value(scrape(client), "loive_intakes_created_total", **series) == before
    for callback in callbacks:
        callback()

    assert value(scrape(client), "loive_intakes_created_total", **series) == before + 1


def test_request_latency_is_measured_by_view(client, cast, api):
    open_case(api(cast.border_guard))

    samples = scrape(client)

    count = "django_http_requests_latency_seconds_by_view_method_count"
    assert value(samples, count, view="intake-create", method="POST") >= 1, [
        key for key in samples if key[0] == count
    ]


def test_overdue_referrals_gauge_counts_referrals_past_their_deadline(client, cast, api):
    border = api(cast.border_guard)
    case_id = open_case(border)["id"]
    give_consent(border, case_id, "health_department")
    referral = refer(border, case_id)
    assert value(scrape(client), "loive_referrals_overdue") == 0

    Referral.objects.filter(uuid=referral["id"]).update(due_at=timezone.now() - timedelta(hours=1))

    assert value(scrape(client), "loive_referrals_overdue") == 1


def test_outbox_backlog_gauge_splits_retrying_from_given_up(client, cast, settings):
    OutboxMessage.objects.all().delete()
    for n, attempts in enumerate((0, 1, settings.LOIVE_OUTBOX_MAX_ATTEMPTS)):
        OutboxMessage.objects.create(
            idempotency_key=f"metrics-{n}",
            recipient=cast.police,
            channel="email",
            subject="s",
            body="b",
            attempts=attempts,
        )

    samples = scrape(client)

    assert value(samples, "loive_outbox_backlog", state="retrying") == 2
    assert value(samples, "loive_outbox_backlog", state="given_up") == 1


@app.task(name="tests.health.always_fails")
def always_fails() -> None:
    raise RuntimeError("broken on purpose")


def test_task_failures_are_counted_by_task(client):
    series = {"task": "tests.health.always_fails"}
    before = value(scrape(client), "loive_task_failures_total", **series)

    # As a worker runs it: the failure is recorded, not raised into the caller.
    result = always_fails.apply(throw=False)
    assert isinstance(result.result, RuntimeError)

    assert value(scrape(client), "loive_task_failures_total", **series) == before + 1


def test_metrics_refuse_a_request_through_a_proxy(client):
    refused(client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9"), 403, "forbidden")


def test_metrics_refuse_another_address(client):
    refused(client.get("/metrics", REMOTE_ADDR="10.0.0.7"), 403, "forbidden")


def test_with_a_token_only_the_token_opens_metrics(client, settings):
    settings.LOIVE_METRICS_TOKEN = "scrape-secret"

    refused(client.get("/metrics"), 403, "forbidden")
    refused(client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong"), 403, "forbidden")
    assert scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret", REMOTE_ADDR="10.0.0.7")


@app.task(name="tests.health.succeeds")
def succeeds() -> int:
    return 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape_worker(port: int) -> dict[tuple, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:  # noqa: S310
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_worker_serves_its_task_counts_on_its_metrics_bind(settings):
    """LOIVE_WORKER_METRICS_BIND: the worker, once ready, serves its task failures and
    successes to Prometheus on its own port."""
    port = _free_port()
    settings.LOIVE_WORKER_METRICS_BIND = f"127.0.0.1:{port}"
    # As Celery does when the worker has started; the receiver answers with its server.
    [server] = [r for _, r in worker_ready.send(sender=None) if r is not None]
    try:
        before = scrape_worker(port)
        always_fails.apply(throw=False)
        succeeds.apply()
        after = scrape_worker(port)
    finally:
        server.shutdown()
        server.server_close()
    failures = {"task": "tests.health.always_fails"}
    successes = {"task": "tests.health.succeeds"}
    assert value(after, "loive_task_failures_total", **failures) == (
        value(before, "loive_task_failures_total", **failures) + 1
    )
    assert value(after, "loive_tasks_succeeded_total", **successes) == (
        value(before, "loive_tasks_succeeded_total", **successes) + 1
    )


def test_no_worker_metrics_without_a_bind(settings):
    settings.LOIVE_WORKER_METRICS_BIND = ""
    assert serve_worker_metrics(settings.LOIVE_WORKER_METRICS_BIND) is None
