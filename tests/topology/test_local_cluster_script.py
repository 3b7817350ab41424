"""deploy/local-cluster runs without a cluster: `status` names every process and says stopped;
with the cluster, each Celery worker serves its metrics."""

import subprocess
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .client import wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_status_of_a_cluster_that_is_not_running(tmp_path):
    result = subprocess.run(
        [str(ROOT / "deploy" / "local-cluster"), "status", "--dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1  # /readyz does not answer
    lines = result.stdout.splitlines()
    for name in ("primary", "replica", "redis", "web", "worker-1", "worker-2", "beat"):
        assert any(line.split()[0] == name and line.endswith("stopped") for line in lines), name


@pytest.mark.topology
def test_each_worker_serves_its_own_metrics(cluster):
    """LOIVE_WORKER_METRICS_BIND in the cluster: each worker answers on its own port with the
    counts of the tasks its pool ran (the heartbeat runs every few seconds). A worker binds its
    port a moment after the cluster reports it started: a refused connection is waited out."""

    def heartbeats(n: int) -> float:
        url = f"http://127.0.0.1:{cluster.worker_metrics_port(n)}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                text = response.read().decode()
        except OSError:  # the worker has not bound its metrics port yet: wait, as for a count
            return 0
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "loive_tasks_succeeded_total"
        )

    assert wait_for(lambda: heartbeats(1) > 0 and heartbeats(2) > 0, 60)
