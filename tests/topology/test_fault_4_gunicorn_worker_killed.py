"""A gunicorn worker killed during a burst of intakes sent with Idempotency-Key and retried:
each intake is stored exactly once, and every resend of a stored intake is answered with it.

The kill is aimed: the worker holding requests at that instant is stopped (SIGSTOP: its
requests hang, half-done or committed-but-unanswered, and hold whatever locks they hold), then
SIGKILLed a second later, so its requests are cut. Every key is then sent once more: each must
be answered as a replay (Idempotent-Replayed: true) of its one stored intake. Without the
replay (security.idempotency, cases.services.intake) the retries of the cut requests and the
resends fail, and the test goes red.
"""

import os
import signal
import time

import pytest

from .client import Burst, children, serving, wait_for

pytestmark = pytest.mark.topology


def busy_worker(workers: list[int], port: int) -> tuple[int, int] | None:
    """(pid, requests held) of the worker holding the most requests, if any holds one."""
    held = max((serving(pid, port), pid) for pid in workers)
    return (held[1], held[0]) if held[0] else None


def test_gunicorn_worker_killed_mid_burst_each_intake_stored_once(
    cluster, operator, cluster_db, report
):
    master = cluster.state()["pids"]["web"]
    workers = children(master)
    assert len(workers) == 2, workers
    port = cluster.ports["web"]
    burst = Burst(operator, 60, threads=8, retry_for=60).start()
    wait_for(lambda: sum(bool(a.acknowledged_at) for a in burst.attempts) >= 8, 60)
    victim, held = wait_for(lambda: busy_worker(workers, port), 20, 0.005)
    os.kill(victim, signal.SIGSTOP)
    held = max(held, serving(victim, port))
    time.sleep(1.0)  # its requests hang; the other worker goes on
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    burst.wait()

    # Every key once more, after the burst: each answered as a replay of its stored intake.
    resends = [operator.intake(a.key, n) for n, a in enumerate(burst.attempts)]

    figures = report(burst.figures("4 gunicorn worker SIGSTOP+SIGKILL", cluster_db))
    cut = [a for a in burst.attempts if any(status == 0 for status, _ in a.statuses)]
    failed = [a for a in burst.attempts if any(s not in (200, 201) for s, _ in a.statuses)]
    recovered = [a.acknowledged_at - killed_at for a in failed if a.acknowledged_at]
    figures.recover_seconds = max(recovered, default=0.0)
    figures.notes = {
        "killed_holding": held,
        "statuses": burst.statuses(),
        "cut_by_kill": len(cut),
        "retried": len(failed),
        "replayed_in_burst": sum(a.replays for a in burst.attempts),
        "resent": len(resends),
        "resends_replayed": sum(r.status == 201 and r.replayed for r in resends),
        "resend_statuses": sorted({r.status for r in resends}),
    }
    assert held >= 1 and cut, "the kill cut no request: it was not aimed at a busy worker"
    assert wait_for(lambda: len(children(master)) == 2, 30)  # the master replaced it
    assert figures.acknowledged == figures.sent == figures.stored
    assert figures.duplicates == 0 and figures.lost == 0
    assert figures.notes["resends_replayed"] == len(resends) == figures.sent
    # Each resend answers with the very intake the burst stored for its key.
    assert figures.stored == len({r.body["intake"] for r in resends})
