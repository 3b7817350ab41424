"""`manage.py bench --tiny --json` runs end to end (its own database copied from a template,
gunicorn, every figure of issue 15) and prints every figure as one JSON object a line; a
failed request counts as an error, which fails the command."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings

from benchmarks.figures import FIGURES
from benchmarks.http_load import merged, run_load


def test_bench_tiny_prints_every_figure_as_json():
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--tiny", "--json"],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [row["figure"] for row in rows] == list(FIGURES)
    for row in rows:
        assert set(row) == {"figure", "value", "baseline", "ratio", "unit"}
        assert isinstance(row["value"], int | float) and row["value"] > 0, row
        assert row["baseline"] is None or row["baseline"] >= 0, row
        assert row["unit"], row


class _Answers(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(500 if self.path == "/broken" else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_answer_of_300_or_more_is_an_error():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        ok = run_load(port, "/fine", None, clients=2, requests_per_client=3, headers={})
        broken = run_load(port, "/broken", None, clients=2, requests_per_client=3, headers={})
    finally:
        server.shutdown()
    assert (ok.requests, ok.errors) == (6, 0)
    assert broken.errors == 6 and "500" in broken.failures[0]


def test_the_rounds_of_a_load_are_pooled():
    """The write figures pool their rounds: requests over the seconds of all, latencies
    together (a p95 of them all, not of one round)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        rounds = [
            run_load(port, "/fine", None, clients=2, requests_per_client=n, headers={})
            for n in (1, 2, 3)
        ]
    finally:
        server.shutdown()
    pooled = merged(rounds)
    assert (pooled.requests, pooled.errors) == (12, 0)
    assert pooled.seconds == sum(r.seconds for r in rounds)
    assert sorted(pooled.latencies_ms) == sorted(ms for r in rounds for ms in r.latencies_ms)
