"""Failover: the primary stopped, the replica promoted (pg_ctl promote), the application
restarted against it; every intake acknowledged before the stop is there, and intakes retried
through the failover are stored once each. Runs last: afterwards the cluster has no replica."""

import time

import pytest

from .client import Burst, wait_for

pytestmark = pytest.mark.topology


def test_failover_to_the_promoted_replica_keeps_every_acknowledged_intake(
    cluster, operator, cluster_db, report
):
    state = cluster.state()
    if state.get("promoted"):
        pytest.skip("this cluster has already failed over (recreate it: down, rm -r its dir, up)")
    before = Burst(operator, 30, threads=6).start().wait()
    assert all(a.acknowledged_at for a in before.attempts)
    during = Burst(operator, 30, threads=3, retry_for=120).start()
    wait_for(lambda: sum(bool(a.acknowledged_at) for a in during.attempts) >= 3, 60)
    stopped_at = time.monotonic()
    cluster.failover()  # returns once /readyz answers 200 on the promoted replica
    ready_after = time.monotonic() - stopped_at
    during.wait()
    assert cluster.state()["database_port"] == cluster.ports["replica"]
    with cluster_db() as connection:
        assert connection.execute("SELECT pg_is_in_recovery()").fetchone()[0] is False

    figures = report(before.figures("5 failover (acknowledged before the stop)", cluster_db))
    figures.recover_seconds = ready_after
    assert figures.acknowledged == figures.sent == figures.stored == 30
    assert figures.duplicates == 0 and figures.lost == 0

    through = report(during.figures("5 failover (sent through it, retried)", cluster_db))
    acknowledged_after = [a.acknowledged_at - stopped_at for a in during.attempts]
    through.recover_seconds = max((t for t in acknowledged_after if t and t > 0), default=None)
    through.notes = {"statuses": during.statuses()}
    assert through.acknowledged == through.sent == through.stored
    assert through.duplicates == 0 and through.lost == 0
