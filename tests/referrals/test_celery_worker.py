"""Scenario 04.4 with a real Celery worker and beat on Redis and PostgreSQL: a worker that is
down when the deadline passes escalates when it comes back, and only once."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from referrals.models import Escalation, Referral
from tests.cast import give_consent, refer

pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="a real worker needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]
SWEEP_SECONDS = 1
CELERY = Path(sys.executable).with_name("celery")


def _test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker -B` on a queue of its own, against the test database."""

    def __init__(self, workdir: Path):
        self.workdir, self.process, self.runs = workdir, None, 0
        self.env = os.environ | {
            "DATABASE_URL": _test_database_url(),
            "LOIVE_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "LOIVE_SWEEP_QUEUE": f"test-sweep-{uuid.uuid4().hex}",
        }

    def start(self) -> None:
        self.runs += 1
        log = (self.workdir / f"worker-{self.runs}.log").open("w")
        self.process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "-B",
                "--pool=solo",
                "--concurrency=1",
                "-l",
                "info",
                "-Q",
                self.env["LOIVE_SWEEP_QUEUE"],
                "-s",
                str(self.workdir / "beat-schedule"),
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path.cwd(),
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.workdir.glob("worker-*.log")))


def wait_for(condition: Callable[[], bool], worker: Worker, seconds: float = 25) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, worker.logs()
        assert worker.process.poll() is None, worker.logs()
        time.sleep(0.3)


def escalated(referral_id: str) -> int:
    return Escalation.objects.filter(referral__uuid=referral_id).count()


def escalation_notices():
    """In-app notices of escalations (the receiving unit's arrival notices aside)."""
    return Notification.objects.filter(message__idempotency_key__startswith="escalation:")


def test_a_stopped_worker_escalates_once_when_it_comes_back(border, case_id, api, people, tmp_path):
    give_consent(border, case_id, "health_department")
    give_consent(border, case_id, "police", purpose="investigation")
    first = refer(border, case_id)["id"]
    Referral.objects.filter(uuid=first).update(due_at=timezone.now() - timedelta(minutes=1))
    worker = Worker(tmp_path)
    try:
        worker.start()
        wait_for(lambda: escalation_notices().count() == 2, worker)  # the worker is alive
        worker.stop()

        second = refer(border, case_id, purpose="investigation", to_unit="ht-police")["id"]
        Referral.objects.filter(uuid=second).update(due_at=timezone.now() + timedelta(seconds=1))
        time.sleep(3 * SWEEP_SECONDS + 1)  # the deadline passes while nobody sweeps
        assert escalated(second) == 0
        assert escalation_notices().count() == 2

        worker.start()
        wait_for(lambda: escalation_notices().count() == 4, worker)
        time.sleep(4 * SWEEP_SECONDS)  # more sweeps run: nothing is sent twice
    finally:
        worker.stop()
    assert escalated(first) == escalated(second) == 2
    notified = sorted(escalation_notices().values_list("recipient__username", flat=True))
    assert notified == sorted(
        [people["social_supervisor"].username, "ht-police-supervisor"]
        + [people["steering"].username] * 2
    )
