"""gunicorn settings for the Lối Về web process (behind a TLS-terminating reverse proxy)."""

import multiprocessing
import os

from prometheus_client import multiprocess

bind = os.environ.get("LOIVE_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("LOIVE_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("LOIVE_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("LOIVE_PROXY_IPS", "127.0.0.1")
# Access logs carry paths with case UUIDs only (pseudonymous), never bodies or query strings;
# one JSON object a line like the application's, with the request id the application answered.
accesslog = "-"
access_log_format = (
    '{"logger": "gunicorn.access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(b)s", "ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"


def child_exit(server, worker) -> None:
    """prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR): a dead worker's live
    gauges are dropped; its counters stay in the sum."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
