"""What /readyz checks beyond django-health-check's own database probe.

A web process is ready when it can reach PostgreSQL and Redis, when some Celery worker has run
the beat's heartbeat task in the last minute (deadlines are swept by workers, so a web tier
without workers would accept referrals whose escalations never happen), when the audit
ledger's head agrees with its last sealed event, and when no audit event has waited for the
sealer longer than LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS (tamper evidence would lag behind).
"""

import dataclasses
import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from security.audit import audit_head_problem, oldest_unsealed

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


@dataclasses.dataclass
class AuditSealLag(HealthCheck):
    """No audit event has waited for the sealer longer than the allowed lag."""

    def run(self) -> None:
        try:
            oldest = oldest_unsealed()
        finally:
            connection.close()
        if oldest is None:
            return
        lag = (timezone.now() - oldest).total_seconds()
        limit = settings.LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS
        if lag > limit:
            raise ServiceUnavailable(
                f"the oldest unsealed audit event is {int(lag)} s old (limit {limit:g} s): "
                "is the sealer (security.tasks.seal_audit) running?"
            )
