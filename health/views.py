"""Probes for the load balancer and the orchestrator: JSON, unauthenticated, never cached.

/healthz (liveness) answers from the process alone: restart me only if I cannot answer at all.
/readyz (readiness) asks every dependency: send me traffic only when all of them answer.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from health_check.checks import Database
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from .checks import AuditChainHead, AuditSealLag, ProcessSyncLag, WorkerHeartbeat


@never_cache
def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class ReadinessView(HealthCheckView):
    """django-health-check's runner, always answering JSON (probes send Accept: */*)."""

    def get_checks(self):
        yield Database()
        if settings.REDIS_URL:
            yield Redis(client_factory=lambda: RedisClient.from_url(settings.REDIS_URL))
        yield WorkerHeartbeat()
        yield AuditChainHead()
        yield AuditSealLag()
        yield ProcessSyncLag()

    def render_to_response(self, context, **response_kwargs):
        return self.render_to_response_json(response_kwargs.get("status", 200))

    def render_to_response_text(self, status):
        return self.render_to_response_json(status)

    def render_to_response_json(self, status: int) -> JsonResponse:
        checks = {
            result.check.__class__.__name__: str(result.error) if result.error else "ok"
            for result in self.results
        }
        ready = all(value == "ok" for value in checks.values())
        return JsonResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status=200 if ready else 503,
        )
