"""The production topology's own files: the gunicorn configuration and the WSGI app load; compose
and the Kubernetes manifests set only variables the settings read, run the local cluster's
commands, and probe real URLs."""

import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings
from django.urls import resolve

from tests.production import run_under_production


def test_gunicorn_configuration_and_app_load():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "deploy/gunicorn.conf.py",
            "config.wsgi",
        ],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


DEPLOY = Path(settings.BASE_DIR) / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
# Read by Django, prometheus-client and dj-database-url, not named in the settings.
OUTSIDE_SETTINGS = {"DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR", "DATABASE_URL"}


def environment_names_read() -> set[str]:
    """Every environment variable the settings, production settings and gunicorn config read."""
    sources = ["config/settings.py", "config/production.py", "deploy/gunicorn.conf.py"]
    text = "\n".join((Path(settings.BASE_DIR) / source).read_text() for source in sources)
    pattern = r'(?:environ(?:\.get)?\(|environ\[|_required\(|_env_bool\(|")([A-Z][A-Z0-9_]+)"'
    return set(re.findall(pattern, text)) | OUTSIDE_SETTINGS


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def containers() -> list[dict]:
    found = []
    for path in MANIFESTS:
        for doc in documents(path):
            spec = doc.get("spec", {}).get("template", {}).get("spec", {})
            found += spec.get("containers", [])
    return found


def names_set() -> set[str]:
    """The variables compose, the env example and the manifests set for the application."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app_services = [s for s in compose["services"].values() if "build" in s]
    names = {n for s in app_services for n in (s.get("environment") or {})}
    example = (DEPLOY / "loive.env.example").read_text().splitlines()
    names |= {line.split("=")[0] for line in example if "=" in line and not line.startswith("#")}
    for path in MANIFESTS:
        for doc in documents(path):
            if doc["kind"] in ("ConfigMap", "Secret"):
                names |= set(doc.get("data", {})) | set(doc.get("stringData", {}))
    names |= {env["name"] for c in containers() for env in c.get("env", [])}
    return names


def test_every_variable_deployments_set_is_read_by_the_settings():
    assert MANIFESTS
    assert names_set() - environment_names_read() == set()


def test_manifests_run_the_local_clusters_commands():
    commands = {c["name"]: " ".join(c["command"]) for c in containers()}
    cluster = (DEPLOY / "local_cluster.py").read_text()
    assert commands["web"] == "gunicorn -c deploy/gunicorn.conf.py config.wsgi"
    assert '"-c", "deploy/gunicorn.conf.py", "config.wsgi"' in cluster
    for role in ("worker", "beat"):
        assert commands[role].startswith(f"celery -A config {role} ")
        assert f'"celery"), "-A", "config", "{role}"' in cluster
    assert "--prefetch-multiplier 1" in commands["worker"]
    assert commands["migrate"] == "python manage.py migrate --noinput"


def test_probes_point_at_the_health_views():
    (web,) = [c for c in containers() if c["name"] == "web"]
    assert resolve(web["readinessProbe"]["httpGet"]["path"]).url_name == "readyz"
    assert resolve(web["livenessProbe"]["httpGet"]["path"]).url_name == "healthz"
    host = web["readinessProbe"]["httpGet"]["httpHeaders"][0]["value"]
    (config,) = [d for d in documents(DEPLOY / "k8s" / "config.yaml") if d["kind"] == "ConfigMap"]
    assert host == config["data"]["DJANGO_ALLOWED_HOSTS"].split(",")[0]


def test_one_beat_never_two():
    (beat,) = [d for p in MANIFESTS for d in documents(p) if d["metadata"]["name"] == "loive-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"


def test_production_keeps_the_documents_store(tmp_path):
    script = (
        "import django; django.setup(); from django.core.files.storage import storages; "
        "print(type(storages['documents']).__name__, storages['documents'].location)"
    )

    result = run_under_production(["-c", script], tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FileSystemStorage", str(tmp_path / "documents")]


def test_workers_expose_their_metrics_and_only_prometheus_reaches_them():
    """LOIVE_WORKER_METRICS_BIND is set wherever workers run, on the port the manifests open,
    and the NetworkPolicy lets the monitoring namespace (only) scrape it."""
    assert "LOIVE_WORKER_METRICS_BIND" in environment_names_read()
    (worker,) = [c for c in containers() if c["name"] == "worker"]
    env = {e["name"]: e.get("value") for e in worker.get("env", [])}
    port = int(env["LOIVE_WORKER_METRICS_BIND"].rsplit(":", 1)[1])
    assert port == 9808
    assert {p["containerPort"] for p in worker["ports"]} == {port}
    policies = [
        d for d in documents(DEPLOY / "k8s" / "network-policy.yaml") if d["kind"] == "NetworkPolicy"
    ]
    for_workers = [
        p
        for p in policies
        if p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/component")
        == "worker"
    ]
    assert [rule["ports"] for p in for_workers for rule in p["spec"]["ingress"]] == [
        [{"protocol": "TCP", "port": port}]
    ]
    sources = [s for p in for_workers for rule in p["spec"]["ingress"] for s in rule["from"]]
    assert sources == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]
    # No other policy shuts the workers out entirely.
    for policy in policies:
        for match in policy["spec"]["podSelector"].get("matchExpressions", []):
            assert "worker" not in match["values"] or policy["spec"]["ingress"]
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["worker"]
    assert compose["environment"]["LOIVE_WORKER_METRICS_BIND"].endswith(f":{port}")
    assert compose["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert "LOIVE_WORKER_METRICS_BIND" in (DEPLOY / "local_cluster.py").read_text()
