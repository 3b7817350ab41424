"""Large exports in the background (Celery; eager in tests): asked for, polled, downloaded by
the requester only, the password given once and never stored, every step audited."""

import io
import json

import pytest
import pyzipper

from config.celery import app as celery_app
from reports.archive import seal_password
from reports.models import ExportJob
from reports.tasks import build_export
from security.models import AuditEvent
from tests.cast import refused

pytestmark = pytest.mark.django_db
EXPORTS = "/api/v1/reports/exports/"


@pytest.fixture(autouse=True)
def eager_celery():
    """The task runs in the test's process (and transaction) even where REDIS_URL is set: the
    worker's own behaviour is tested with a real worker in tests/referrals/test_celery_worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def ask(client, **body) -> dict:
    response = client.post(EXPORTS, {"period": "2025", **body}, format="json")
    assert response.status_code == 202, response.content[:300]
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_ask_poll_download(story, supervisor, cast):
    job = ask(supervisor, k=None)
    assert job["password"] and job["status"] == "done"  # eager Celery ran it already
    status = supervisor.get(f"{EXPORTS}{job['id']}/").json()
    assert status["status"] == "done" and "password" not in status
    assert status["rows"] == {"cases": 3, "victims": 3, "perpetrators": 0}
    archive = supervisor.get(status["download"])
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    with pyzipper.AESZipFile(io.BytesIO(archive.content)) as opened:
        opened.setpassword(job["password"].encode())
        assert len(json.loads(opened.read("htcds.json"))["victims"]) == 3
    actions = list(AuditEvent.objects.filter(object_id=job["id"]).values_list("action", flat=True))
    assert actions == ["export.requested", "export", "export.download"]


def test_the_password_is_kept_nowhere(story, supervisor):
    job = ask(supervisor)
    stored = ExportJob.objects.get(uuid=job["id"])
    kept = json.dumps(
        [list(e.values()) for e in AuditEvent.objects.values()], default=str
    ) + json.dumps([str(v) for v in ExportJob.objects.values().first().values()])
    assert job["password"] not in kept
    assert job["password"].encode() not in (stored.file_name.encode())


def test_only_the_requester_sees_or_downloads_a_job(story, supervisor, central_supervisor):
    job = ask(supervisor)
    refused(central_supervisor.get(f"{EXPORTS}{job['id']}/"), 404, "not_found")
    refused(central_supervisor.get(f"{EXPORTS}{job['id']}/file/"), 404, "not_found")


def test_a_job_not_done_cannot_be_downloaded(story, supervisor):
    job = ask(supervisor)
    ExportJob.objects.filter(uuid=job["id"]).update(status="running")
    refused(supervisor.get(f"{EXPORTS}{job['id']}/file/"), 409, "conflict")


def test_a_redelivered_task_changes_nothing(story, supervisor):
    job = ask(supervisor)
    stored = ExportJob.objects.get(uuid=job["id"])
    build_export(stored.pk, seal_password(stored.uuid, job["password"]))
    assert AuditEvent.objects.filter(action="export", object_id=job["id"]).count() == 1


def test_refused_and_bad_requests_queue_nothing(story, api, cast, supervisor):
    refused(api(cast.police).post(EXPORTS, {"period": "2025"}, format="json"), 403, "forbidden")
    refused(supervisor.post(EXPORTS, {"period": "2025-Q7"}, format="json"), 400, "invalid_period")
    assert not ExportJob.objects.exists()
