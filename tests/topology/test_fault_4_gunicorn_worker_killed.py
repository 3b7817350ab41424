"""A gunicorn worker SIGKILLed during a burst of intakes sent with Idempotency-Key and retried:
each intake is stored exactly once."""

import os
import signal
import time

import pytest

from .client import Burst, children, wait_for

pytestmark = pytest.mark.topology


def test_gunicorn_worker_killed_mid_burst_each_intake_stored_once(
    cluster, operator, cluster_db, report
):
    master = cluster.state()["pids"]["web"]
    workers = children(master)
    assert len(workers) == 2, workers
    burst = Burst(operator, 60, threads=8, retry_for=60).start()
    wait_for(lambda: sum(bool(a.acknowledged_at) for a in burst.attempts) >= 8, 60)
    killed_at = time.monotonic()
    os.kill(workers[0], signal.SIGKILL)
    burst.wait()
    figures = report(burst.figures("4 gunicorn worker SIGKILL", cluster_db))
    failed = [a for a in burst.attempts if any(s not in (200, 201) for s, _ in a.statuses)]
    recovered = [a.acknowledged_at - killed_at for a in failed if a.acknowledged_at]
    figures.recover_seconds = max(recovered, default=0.0)
    figures.notes = {
        "statuses": burst.statuses(),
        "retried": len(failed),
        "replayed_200": sum(1 for a in burst.attempts if (200, "") in a.statuses),
    }
    assert wait_for(lambda: len(children(master)) == 2, 30)  # the master replaced it
    assert figures.acknowledged == figures.sent == figures.stored
    assert figures.duplicates == 0 and figures.lost == 0
