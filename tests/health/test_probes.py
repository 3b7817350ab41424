"""/healthz and /readyz: JSON, no sign-in, and /readyz goes 503 when a dependency fails."""

import datetime
import os
import re

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from health_check.exceptions import ServiceUnavailable

from health.checks import HEARTBEAT_KEY, WorkerHeartbeat, record_heartbeat
from security.audit import record_event, seal_pending
from security.models import AuditChainHead
from tests.cast import open_case
from tests.production import run_under_production
from workflows.services import sync_pending_processes


def test_liveness_answers_json_without_sign_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readiness_lists_every_check(client):
    record_heartbeat()
    record_event("test.event", details={"n": 1})

    response = client.get("/readyz", HTTP_ACCEPT="*/*")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    expected = {"Database", "WorkerHeartbeat", "AuditChainHead", "AuditSealLag", "ProcessSyncLag"}
    expected |= {"Redis"} if os.environ.get("REDIS_URL") else set()
    assert set(body["checks"]) == expected
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readiness_fails_when_the_audit_head_disagrees_with_the_ledger(client):
    record_heartbeat()
    record_event("test.event", details={"n": 1})
    AuditChainHead.objects.filter(pk=1).update(sequence=7)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "does not match" in body["checks"]["AuditChainHead"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readiness_fails_when_an_audit_event_waits_for_the_sealer_too_long(client, settings):
    record_heartbeat()
    assert settings.LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS == 120, "the default"
    with time_machine.travel(timezone.now() - datetime.timedelta(seconds=100)):
        record_event("test.event", details={"n": 1})
    assert client.get("/readyz").status_code == 200, "100 s is within the lag allowed"

    settings.LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS = 90
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["AuditChainHead"] == "ok"
    assert re.search(
        r"oldest unsealed audit event is 10\d s old \(limit 90 s\)", body["checks"]["AuditSealLag"]
    )

    seal_pending()
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readiness_fails_when_a_case_waits_for_its_process_too_long(client, settings, api, cast):
    record_heartbeat()
    assert settings.LOIVE_PROCESS_SYNC_MAX_LAG_SECONDS == 120, "the default"
    with time_machine.travel(timezone.now() - datetime.timedelta(seconds=100)):
        open_case(api(cast.named("demo-hotline")))  # its process waits for the dispatcher
    seal_pending()
    assert client.get("/readyz").status_code == 200, "100 s is within the lag allowed"

    settings.LOIVE_PROCESS_SYNC_MAX_LAG_SECONDS = 90
    response = client.get("/readyz")

    assert response.status_code == 503
    assert re.search(
        r"a case has waited 10\d s for its process \(limit 90 s\)",
        response.json()["checks"]["ProcessSyncLag"],
    )
    sync_pending_processes()
    assert client.get("/readyz").status_code == 200


def test_worker_heartbeat_must_be_younger_than_a_minute(settings):
    settings.REDIS_URL = "redis://configured"
    cache.delete(HEARTBEAT_KEY)
    with pytest.raises(ServiceUnavailable, match="no worker heartbeat"):
        WorkerHeartbeat().run()

    record_heartbeat()
    WorkerHeartbeat().run()

    stale = timezone.now() - datetime.timedelta(seconds=61)
    cache.set(HEARTBEAT_KEY, stale.isoformat())
    with pytest.raises(ServiceUnavailable, match="61 s ago"):
        WorkerHeartbeat().run()


def test_probes_answer_plain_http_under_production_settings(tmp_path):
    """Orchestrators probe pods over HTTP inside the cluster: no redirect to HTTPS there."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(HTTP_HOST='loive.example.org').get('/healthz')\n"
        "print(r.status_code, r.content.decode())\n"
    )
    result = run_under_production(["-c", script], tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '200 {"status": "ok"}'
