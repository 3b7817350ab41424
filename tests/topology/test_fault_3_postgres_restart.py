"""PostgreSQL restarted during load: requests fail cleanly (503 with the JSON error
database_unavailable), succeed again afterwards, and no case is half-written."""

import time

import pytest

from .client import Burst, wait_for

pytestmark = pytest.mark.topology

HALF_WRITTEN = """
SELECT count(*) FROM cases_case c
WHERE NOT EXISTS (SELECT 1 FROM cases_intake i WHERE i.case_id = c.id)
   OR NOT EXISTS (SELECT 1 FROM cases_person p WHERE p.case_id = c.id AND p.role = 'victim')
   OR NOT EXISTS (SELECT 1 FROM cases_caseholding h WHERE h.case_id = c.id)
"""


def test_postgres_restart_fails_cleanly_and_recovers(cluster, operator, cluster_db, report):
    burst = Burst(operator, 60, threads=6, retry_for=90).start()
    wait_for(lambda: sum(bool(a.acknowledged_at) for a in burst.attempts) >= 8, 60)
    cluster.stop("primary")
    down_for = 3.0
    time.sleep(down_for)
    cluster._pg_start("primary", cluster.pg_dir / "primary", cluster.state()["database_port"])
    restarted_at = time.monotonic()
    burst.wait()
    figures = report(burst.figures("3 PostgreSQL restart", cluster_db))
    after = [a.acknowledged_at - restarted_at for a in burst.attempts if a.acknowledged_at]
    figures.recover_seconds = min((t for t in after if t >= 0), default=None)
    statuses = burst.statuses()
    with cluster_db() as connection:
        half_written = connection.execute(HALF_WRITTEN).fetchone()[0]
    figures.notes = {"statuses": statuses, "half_written_cases": half_written, "down_s": down_for}
    assert "503:database_unavailable" in statuses, statuses  # the outage was met
    assert set(statuses) <= {"201", "200", "503:database_unavailable"}, statuses
    assert figures.acknowledged == figures.sent == figures.stored
    assert figures.duplicates == 0 and figures.lost == 0
    assert half_written == 0
    assert cluster.wait_ready(60) >= 0
