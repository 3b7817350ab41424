"""Prometheus metrics at /metrics: what an operator of Lối Về watches.

- request latency by view: django-prometheus's middleware
  (django_http_requests_latency_seconds_by_view_method);
- intakes created: a counter kept by the cases app (loive_intakes_created_total);
- overdue referrals and the outbox backlog: gauges read from the database at each scrape, so
  every web process reports the same figure whichever one Prometheus reaches;
- task failures: a counter incremented by Celery's task_failure signal in the worker (and
  tasks succeeded and retried, by task_success and task_retry).

A Celery worker serves its own counters when LOIVE_WORKER_METRICS_BIND is set (host:port, e.g.
0.0.0.0:9808): prometheus-client's HTTP server, started when the worker is ready. Its figures are
counts by task name only; the port is for the monitoring system (the NetworkPolicy in
deploy/k8s lets only it in).

Counters live in the process that counts. With several processes (gunicorn workers, Celery's
pool) set PROMETHEUS_MULTIPROC_DIR to a directory they share: each process writes its samples
there and /metrics adds them up (prometheus-client's multiprocess mode).

Who may read /metrics: with LOIVE_METRICS_TOKEN set, a scraper sending
`Authorization: Bearer <token>`; without it, only a direct loopback connection (no proxy in
between: a request carrying X-Forwarded-For came through one). Figures are counts only, never
anything about a case, but they still describe the service's load and are not public.
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator

from celery.signals import task_failure, task_retry, task_success, worker_ready
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from notifications.selectors import outbox_backlog
from referrals.selectors import count_overdue

logger = logging.getLogger(__name__)

TASK_FAILURES = Counter(
    "loive_task_failures", "Celery tasks that raised (each retry counts once).", ["task"]
)
TASKS_SUCCEEDED = Counter("loive_tasks_succeeded", "Celery tasks that returned.", ["task"])
TASK_RETRIES = Counter("loive_task_retries", "Celery tasks that asked to be retried.", ["task"])


@task_failure.connect
def _count_task_failure(sender=None, **kwargs) -> None:
    TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


@task_success.connect
def _count_task_success(sender=None, **kwargs) -> None:
    TASKS_SUCCEEDED.labels(task=getattr(sender, "name", "unknown")).inc()


@task_retry.connect
def _count_task_retry(sender=None, **kwargs) -> None:
    TASK_RETRIES.labels(task=getattr(sender, "name", "unknown")).inc()


@worker_ready.connect
def _serve_from_the_worker(**kwargs):
    return serve_worker_metrics(settings.LOIVE_WORKER_METRICS_BIND)


def serve_worker_metrics(bind: str):
    """Serve this process's metrics (every pool process's, in multiprocess mode) on `bind`
    (host:port); the server, or None if not configured or the port is taken (logged: a worker
    without its metrics still works)."""
    if not bind:
        return None
    host, _, port = bind.rpartition(":")
    try:
        server, _thread = start_http_server(
            int(port), addr=host.strip("[]") or "127.0.0.1", registry=_registry()
        )
    except (OSError, ValueError) as exc:
        logger.error("worker metrics not served on %s: %s", bind, exc)
        return None
    logger.info("worker metrics served on %s", bind)
    return server


class DatabaseFigures(Collector):
    """Gauges read from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        overdue = GaugeMetricFamily(
            "loive_referrals_overdue", "Referrals still waiting for an answer past their deadline."
        )
        overdue.add_metric([], count_overdue(timezone.now()))
        yield overdue
        backlog = GaugeMetricFamily(
            "loive_outbox_backlog",
            "Unsent outbox messages: retrying, or given up after too many attempts.",
            labels=["state"],
        )
        for state, count in outbox_backlog().items():
            backlog.add_metric([state], count)
        yield backlog


_DATABASE_REGISTRY = CollectorRegistry()
_DATABASE_REGISTRY.register(DatabaseFigures())


def _registry() -> CollectorRegistry:
    """The process's own registry, or every process's samples in multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def scraper_allowed(request: HttpRequest) -> bool:
    token = settings.LOIVE_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not scraper_allowed(request):
        detail = _("Metrics are for the monitoring system only.")
        return JsonResponse({"error": "forbidden", "detail": detail}, status=403)
    page = generate_latest(_registry()) + generate_latest(_DATABASE_REGISTRY)
    return HttpResponse(page, content_type=CONTENT_TYPE_LATEST)
