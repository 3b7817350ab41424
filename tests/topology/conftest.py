"""Fault tests against the running local cluster (deploy/local-cluster): real gunicorn, Celery,
Redis and PostgreSQL processes, killed and restarted while intakes arrive through the API.

They run only with LOIVE_TOPOLOGY=1 (`.ci/run` runs them once, in a step of their own). The
cluster is used if /readyz answers 200, else started here and stopped afterwards. Each test
reports its figures (requests sent, acknowledged, stored, duplicates, lost, time to recover);
they are printed at the end of the run and written to <cluster>/figures.json.
"""

import importlib.util
import json
import os
import sys
from pathlib import Path

import psycopg
import pytest

from .client import Api, Figures

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "local_cluster", ROOT / "deploy" / "local_cluster.py"
)
local_cluster = importlib.util.module_from_spec(_spec)
sys.modules["local_cluster"] = local_cluster
_spec.loader.exec_module(local_cluster)

ENABLED = os.environ.get("LOIVE_TOPOLOGY") == "1"
FIGURES: list[Figures] = []


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="fault tests against the local cluster: set LOIVE_TOPOLOGY=1")
    for item in items:
        if item.get_closest_marker("topology"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("fault test figures")
    for figures in FIGURES:
        terminalreporter.write_line(figures.line())


@pytest.fixture(scope="session")
def cluster():
    cluster = local_cluster.Cluster(
        Path(os.environ.get("LOIVE_CLUSTER_DIR", ROOT / "var" / "cluster"))
    )
    started = cluster.readyz()[0] != 200
    if started:
        cluster.up()
    yield cluster
    if started:
        cluster.down()


@pytest.fixture
def cluster_db(cluster):
    """A connection to the cluster's current primary (autocommit)."""

    def connect() -> psycopg.Connection:
        port = cluster.state()["database_port"]
        return psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="loive", autocommit=True
        )

    return connect


@pytest.fixture
def operator(cluster) -> Api:
    """The hotline operator, signed in with a session (login form and CSRF, as a browser)."""
    return Api(cluster.ports["web"], "demo-hotline", cluster.password())


@pytest.fixture
def report(cluster):
    """Record a fault test's figures: printed, and written to <cluster>/figures.json after
    each test (with what the test added after recording them), so a run that stops half-way
    keeps the figures of the tests before."""
    recorded: list[Figures] = []

    def record(figures: Figures) -> Figures:
        FIGURES.append(figures)
        recorded.append(figures)
        return figures

    yield record
    for figures in recorded:
        print(figures.line())
    if FIGURES:
        (cluster.dir / "figures.json").write_text(
            json.dumps([figures.as_dict() for figures in FIGURES], indent=2)
        )
