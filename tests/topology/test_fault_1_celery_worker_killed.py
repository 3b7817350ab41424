"""SIGKILL of a Celery worker mid-task: the work runs again and its effect happens once.

The task is the deadline sweep draining a large outbox (the one periodic task; it delivers
in-app notifications). A worker's pool process is killed while it holds a database connection,
mid-batch: its transaction rolls back, the task message (acks_late, reject_on_worker_lost) is
redelivered or the next beat sweep takes the batch, and every message ends with exactly one
notification."""

import os
import re
import signal
import time
import uuid

import pytest

from .client import Figures, children, has_connection_to, wait_for

pytestmark = pytest.mark.topology

MESSAGES = 1200
COUNTS = """
SELECT count(*) FILTER (WHERE m.sent_at IS NOT NULL), count(n.id),
       count(*) FILTER (WHERE m.attempts > 1)
FROM notifications_outboxmessage m LEFT JOIN notifications_notification n ON n.message_id = m.id
WHERE m.idempotency_key LIKE %(prefix)s
"""


def busy_pool_process(cluster, port: int) -> tuple[str, int] | None:
    """(worker name, pool process) of a worker running a task (holding a database connection)."""
    for name in ("worker-1", "worker-2"):
        for child in children(cluster.state()["pids"][name]):
            if has_connection_to(child, port):
                return name, child
    return None


def killed_task(log: str, pid: int) -> str:
    """The id of the last task the worker received before its pool process `pid` died."""
    before = log[: log.index(f"pid:{pid} exited")]
    return re.findall(r"sweep_deadlines\[([0-9a-f-]+)\] received", before)[-1]


def test_celery_worker_killed_mid_task_its_effect_happens_once(cluster, cluster_db, report):
    logs = {w: cluster.log_dir / f"{w}.log" for w in ("worker-1", "worker-2")}
    offsets = {w: path.stat().st_size for w, path in logs.items()}
    prefix = f"topo-kill-{uuid.uuid4().hex[:8]}-"
    port = cluster.state()["database_port"]
    with cluster_db() as connection:
        connection.execute(
            "INSERT INTO notifications_outboxmessage "
            "(idempotency_key, recipient_id, channel, subject, body, created_at, attempts, "
            " last_error) "
            "SELECT %(prefix)s || n, (SELECT id FROM agencies_user WHERE username = "
            "'demo-hotline'), 'in_app', 'Fault test', 'Fault test message', now(), 0, '' "
            "FROM generate_series(1, %(count)s) n",
            {"prefix": prefix, "count": MESSAGES},
        )

    def sent() -> int:
        with cluster_db() as connection:
            return connection.execute(COUNTS, {"prefix": prefix + "%"}).fetchone()[0]

    worker, victim = wait_for(lambda: sent() > 0 and busy_pool_process(cluster, port), 60, 0.05)
    sent_at_kill = sent()
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: sent() == MESSAGES, 180, 0.5)
    recovered = time.monotonic() - killed_at
    with cluster_db() as connection:
        delivered, notifications, retried = connection.execute(
            COUNTS, {"prefix": prefix + "%"}
        ).fetchone()
        doubled = connection.execute(
            "SELECT count(*) FROM (SELECT message_id FROM notifications_notification n "
            "JOIN notifications_outboxmessage m ON m.id = n.message_id "
            "WHERE m.idempotency_key LIKE %(prefix)s GROUP BY message_id "
            "HAVING count(*) > 1) d",
            {"prefix": prefix + "%"},
        ).fetchone()[0]
    new = {w: path.read_text()[offsets[w] :] for w, path in logs.items()}
    task = killed_task(new[worker], victim)
    redelivered = sum(log.count(f"[{task}] received") for log in new.values()) > 1
    # The sweep expires after its own period: a redelivery later than that is discarded and
    # the next beat sweep does the work instead (the cluster sweeps every 2 s).
    discarded = any(
        f"Discarding revoked task: supervision.tasks.sweep_deadlines[{task}]" in log
        for log in new.values()
    )
    figures = report(
        Figures(
            "1 Celery worker SIGKILL mid-task",
            sent=MESSAGES,
            acknowledged=delivered,
            stored=notifications,
            duplicates=doubled + max(notifications - MESSAGES, 0),
            lost=MESSAGES - notifications,
            recover_seconds=recovered,
            notes={
                "killed_pid": victim,
                "sent_at_kill": sent_at_kill,
                "task": task[:8],
                "redelivered": redelivered,
                "redelivery_discarded_as_expired": discarded,
                "messages_attempted_twice": retried,
            },
        )
    )
    assert 0 < sent_at_kill < MESSAGES  # killed mid-task
    assert figures.stored == figures.acknowledged == MESSAGES
    assert figures.duplicates == 0 and figures.lost == 0
    assert "WorkerLostError" in new[worker]
    assert redelivered  # acks_late + reject_on_worker_lost: the message went back to the queue
