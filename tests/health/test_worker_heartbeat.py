"""With a real Celery worker and beat on Redis: /readyz turns ready once the worker's heartbeat
arrives, and unready again when the worker stops (after the heartbeat's minute has passed)."""

import datetime

from django.core.cache import cache
from django.utils import timezone

from health.checks import HEARTBEAT_KEY
from tests.referrals import test_celery_worker as real_worker
from tests.referrals.test_celery_worker import Worker, wait_for

pytestmark = real_worker.pytestmark  # PostgreSQL + Redis only, like the other real-worker tests


def test_readyz_follows_the_worker_heartbeat(client, tmp_path):
    cache.delete(HEARTBEAT_KEY)
    assert (
        client.get("/readyz").json()["checks"]["WorkerHeartbeat"]
        == "Unavailable: no worker heartbeat yet"
    )

    worker = Worker(tmp_path)
    worker.env["LOIVE_HEARTBEAT_SECONDS"] = "1"
    try:
        worker.start()
        wait_for(lambda: client.get("/readyz").status_code == 200, worker)
    finally:
        worker.stop()

    stopped_long_ago = timezone.now() - datetime.timedelta(minutes=2)
    cache.set(HEARTBEAT_KEY, stopped_long_ago.isoformat())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "ago" in response.json()["checks"]["WorkerHeartbeat"]
