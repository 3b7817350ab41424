"""deploy/local-cluster runs without a cluster: `status` names every process and says stopped."""

import subprocess
from pathlib import Path

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
