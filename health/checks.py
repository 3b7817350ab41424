"""What /readyz checks beyond django-health-check's own database probe.

A web process is ready when it can reach PostgreSQL and Redis, when some Celery worker has run
the beat's heartbeat task in the last minute (deadlines are swept by workers, so a web tier
without workers would accept referrals whose escalations never happen), when the audit
ledger's head agrees with its last sealed event, and when no audit event has waited for the
sealer longer than LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS (tamper evidence would lag behind), and no
case has waited for the process dispatcher longer than LOIVE_PROCESS_SYNC_MAX_LAG_SECONDS (the
inboxes would miss its task).
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from security.audit import audit_head_problem, oldest_unsealed
from workflows.services import oldest_pending_sync

HEARTBEAT_KEY = "loive:worker-heartbeat"
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=1)


def record_heartbeat() -> None:
    """Called by the heartbeat task on a worker: the time this worker last ran a task."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """A Celery worker ran the heartbeat task less than a minute ago."""

    def run(self) -> None:
        if not settings.REDIS_URL:
            return  # tasks run in the web process itself (the embedded demo)
        beat = cache.get(HEARTBEAT_KEY)
        if beat is None:
            raise ServiceUnavailable("no worker heartbeat yet")
        age = timezone.now() - datetime.datetime.fromisoformat(beat)
        if age > HEARTBEAT_MAX_AGE:
            raise ServiceUnavailable(f"last worker heartbeat {int(age.total_seconds())} s ago")


@dataclasses.dataclass
class AuditChainHead(HealthCheck):
    """The audit ledger's head row matches its newest event."""

    def run(self) -> None:
        # django-health-check runs synchronous checks in a thread of their own: close the
        # connection that thread opened, or every probe would leave one behind.
        try:
            problem = audit_head_problem()
        finally:
            connection.close()
        if problem:
            raise ServiceUnavailable(problem)


def _lag_check(oldest: Callable[[], datetime.datetime | None], limit: float, waiting: str) -> None:
    """Unavailable when what has waited longest for a periodic task waited over the limit."""
    try:
        since = oldest()
    finally:
        connection.close()
    if since is None:
        return
    lag = (timezone.now() - since).total_seconds()
    if lag > limit:
        raise ServiceUnavailable(waiting.format(lag=int(lag), limit=f"{limit:g}"))


@dataclasses.dataclass
class AuditSealLag(HealthCheck):
    """No audit event has waited for the sealer longer than the allowed lag."""

    def run(self) -> None:
        _lag_check(
            oldest_unsealed,
            settings.LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS,
            "the oldest unsealed audit event is {lag} s old (limit {limit} s): "
            "is the sealer (security.tasks.seal_audit) running?",
        )


@dataclasses.dataclass
class ProcessSyncLag(HealthCheck):
    """No case has waited for the process dispatcher longer than the allowed lag."""

    def run(self) -> None:
        _lag_check(
            oldest_pending_sync,
            settings.LOIVE_PROCESS_SYNC_MAX_LAG_SECONDS,
            "a case has waited {lag} s for its process (limit {limit} s): "
            "is the dispatcher (workflows.tasks.sync_processes) running?",
        )
