"""The demo's in-process scheduler: the deadline sweep every minute and the audit sealer every
few seconds, without Celery beat.

In production Celery beat runs supervision.tasks.sweep_deadlines every LOIVE_SWEEP_SECONDS and
security.tasks.seal_audit every LOIVE_AUDIT_SEAL_SECONDS. The demo (`quickstart`) has no beat
and often no Redis, so it starts this daemon thread instead, which calls the same jobs: overdue
referrals are marked and escalated, viewflow timers fire, the outbox is delivered as in-app
notifications, the audit events written meanwhile are chained and the processes of the cases
opened or moved meanwhile follow their stage (workflows.tasks.sync_processes). The jobs are
idempotent (the sweep skips rows another sweeper holds, the sealer waits for another sealer's
lock, the dispatcher skips cases another holds), so running them next to a real beat changes
nothing twice.

It refuses to start with production settings: only `quickstart` starts it.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections

from security.audit import seal_pending
from supervision.tasks import sweep_deadlines
from workflows.services import sync_pending_processes

logger = logging.getLogger(__name__)


def seal_and_dispatch() -> dict[str, int]:
    """What Celery beat runs every few seconds: the audit sealer and the process dispatcher
    (the inbox shows a new case's task once it has run)."""
    done = {"sealed": seal_pending(), "processes": sync_pending_processes()}
    return {name: count for name, count in done.items() if count}


class DemoScheduler(threading.Thread):
    """Calls `sweep` every `interval` seconds and `seal` every `seal_interval` seconds, both at
    once first, until stopped."""

    def __init__(
        self,
        interval: float | None = None,
        sweep: Callable[[], object] | None = None,
        *,
        seal_interval: float | None = None,
        seal: Callable[[], object] | None = None,
    ):
        super().__init__(name="loive-demo-scheduler", daemon=True)
        self.interval = settings.LOIVE_SWEEP_SECONDS if interval is None else interval
        self.sweep = sweep or sweep_deadlines
        self.seal_interval = (
            settings.LOIVE_AUDIT_SEAL_SECONDS if seal_interval is None else seal_interval
        )
        self.seal = seal or seal_and_dispatch
        self.runs = 0
        self._stopped = threading.Event()

    def start(self) -> None:
        if settings.LOIVE_REQUIRE_MASTER_KEY or "demo" not in settings.INSTALLED_APPS:
            raise ImproperlyConfigured(
                "The demo scheduler never runs with production settings; Celery beat sweeps."
            )
        super().start()

    def run(self) -> None:
        next_sweep = next_seal = time.monotonic()
        while not self._stopped.is_set():
            if time.monotonic() >= next_sweep:
                self._job("sweep", self.sweep)
                self.runs += 1
                next_sweep = time.monotonic() + self.interval
            if time.monotonic() >= next_seal:
                self._job("audit sealer", self.seal)
                next_seal = time.monotonic() + self.seal_interval
            self._stopped.wait(max(0.0, min(next_sweep, next_seal) - time.monotonic()))

    @staticmethod
    def _job(name: str, job: Callable[[], object]) -> None:
        close_old_connections()
        try:
            result = job()
            if result:
                logger.info("Demo %s: %s", name, result)
        except Exception:  # keep going: the next run retries what failed
            logger.exception("The demo %s failed", name)
        finally:
            close_old_connections()

    def stop(self, timeout: float = 10) -> None:
        self._stopped.set()
        self.join(timeout)
