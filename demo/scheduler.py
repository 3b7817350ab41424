"""The demo's in-process scheduler: the deadline sweep every minute without Celery beat.

In production Celery beat runs supervision.tasks.sweep_deadlines every LOIVE_SWEEP_SECONDS.
The demo (`quickstart`) has no beat and often no Redis, so it starts this daemon thread
instead, which calls the same sweep: overdue referrals are marked and escalated, viewflow
timers fire and the outbox is delivered as in-app notifications. The sweep is idempotent and
skips rows another sweeper holds, so running it next to a real beat changes nothing twice.

It refuses to start with production settings: only `quickstart` starts it.
"""

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections

from supervision.tasks import sweep_deadlines

logger = logging.getLogger(__name__)


class DemoScheduler(threading.Thread):
    """Calls `sweep` every `interval` seconds, at once first, until stopped."""

    def __init__(self, interval: float | None = None, sweep: Callable[[], object] | None = None):
        super().__init__(name="loive-demo-scheduler", daemon=True)
        self.interval = settings.LOIVE_SWEEP_SECONDS if interval is None else interval
        self.sweep = sweep or sweep_deadlines
        self.runs = 0
        self._stopped = threading.Event()

    def start(self) -> None:
        if settings.LOIVE_REQUIRE_MASTER_KEY or "demo" not in settings.INSTALLED_APPS:
            raise ImproperlyConfigured(
                "The demo scheduler never runs with production settings; Celery beat sweeps."
            )
        super().start()

    def run(self) -> None:
        while not self._stopped.is_set():
            close_old_connections()
            try:
                result = self.sweep()
                if result:
                    logger.info("Demo sweep: %s", result)
            except Exception:  # keep sweeping: the next run retries what failed
                logger.exception("The demo sweep failed")
            finally:
                close_old_connections()
            self.runs += 1
            self._stopped.wait(self.interval)

    def stop(self, timeout: float = 10) -> None:
        self._stopped.set()
        self.join(timeout)
