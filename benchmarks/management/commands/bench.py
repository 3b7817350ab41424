"""python manage.py bench: the project's speed, as ratios against baselines of the same run.

It builds a separate benchmark database (never the working one), serves it with gunicorn on
loopback, and measures:
  * intakes per second and p95 latency through the API, 1 and 8 concurrent clients, beside a
    bare Django endpoint inserting one row;
  * the number of queries one intake costs;
  * the encryption overhead on the intake path (encrypted vs plaintext fields);
  * the overdue sweep with many open referrals of which few are due;
  * the pages' reads (case lists, overdue list, timeline, yearly report, duplicate lookup) at
    a volume of the demo story's cases copied --copies times, beside the cheapest
    authenticated read.
"""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections
from django.db.models import Max
from knox.models import AuthToken

from agencies.models import Role, User
from benchmarks.http_load import run_load
from benchmarks.intake import encryption_overhead, queries_per_intake
from benchmarks.reads import measure, reads
from benchmarks.sweep import bench_sweep
from benchmarks.volume import multiply
from cases.models import Case

BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bench_database_url() -> str:
    """A throw-away database beside the configured one (same engine)."""
    current = os.environ.get("DATABASE_URL", "")
    if current.startswith("postgres"):
        config = dj_database_url.parse(current)
        name = f"{config['NAME']}_bench"
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        return current.rsplit("/", 1)[0] + f"/{name}"
    path = settings.DATA_DIR / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@contextmanager
def _server(env: dict, port: int):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def _intake_body(client: int, n: int) -> dict:
    return {
        "channel": "hotline",
        "narrative": "Benchmark call",
        "purposes": ["forced_labour"],
        "victim": {
            "full_name": f"Nguyễn Văn Bench {client}-{n}",
            "birth_year": 1990 + n % 30,
            "phone": f"09{client:02d}{n:06d}",
            "sex": "male",
        },
        "reporter": {"full_name": f"Trần Thị Gọi {client}", "phone": f"08{client:02d}{n:06d}"},
    }


def _integration_token() -> str:
    """A token of an integration account of the demo hotline (people have no tokens)."""
    operator = User.objects.get(username="demo-hotline")
    system = User.objects.create(
        username="bench-telephony", role=Role.INTEGRATION, unit_id=operator.unit_id
    )
    return AuthToken.objects.create(user=system)[1]


class Command(BaseCommand):
    help = "Measure throughput, latency, query counts, encryption overhead and the sweep."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="per load level")
        parser.add_argument("--sweep-total", type=int, default=1_000_000)
        parser.add_argument("--sweep-due", type=int, nargs="+", default=[10_000, 100])
        parser.add_argument("--skip-sweep", action="store_true")
        parser.add_argument("--copies", type=int, default=400, help="copies of the demo cases")
        parser.add_argument("--read-requests", type=int, default=30, help="per read figure")

    def handle(self, *args, requests: int, sweep_total: int, sweep_due, skip_sweep, **opts):
        url = _bench_database_url()
        env = {**os.environ, "DATABASE_URL": url, "LOIVE_BENCH": "1", "DJANGO_DEBUG": "0"}
        self.stdout.write(f"Benchmark database: {connections['default'].vendor} (fresh)")
        _manage(env, "migrate", "--verbosity", "0")
        _manage(env, "seed_demo")
        self._switch_to(url)
        token = _integration_token()
        originals = Case.objects.aggregate(last=Max("pk"))["last"]
        started = time.perf_counter()
        counts = multiply(opts["copies"])
        self.stdout.write(
            f"Volume ({time.perf_counter() - started:.0f} s, analysed): "
            + ", ".join(f"{table} {n:,}" for table, n in counts.items())
        )
        port = _free_port()
        with _server(env, port):
            self._reads(port, originals, opts["read_requests"])
            self._http(port, token, requests)
        self._in_process()
        if not skip_sweep:
            self._sweep(sweep_total, sweep_due)

    def _reads(self, port: int, originals: int, requests: int) -> None:
        self.stdout.write(
            f"\nReads, 1 client, {requests} each, vs GET /bench/signed-in/ as the same user:"
        )
        self.stdout.write(
            f"  {'figure':<22} {'p50 ms':>8} {'p95 ms':>8} {'base p50':>8} {'base p95':>8} "
            f"{'p50 ×':>6} {'p95 ×':>6} {'bytes':>9} {'errors':>6}"
        )
        for read in reads(originals):
            result, baseline, size = measure(port, read, requests)
            self.stdout.write(
                f"  {read.figure:<22} {result.p50_ms:>8.1f} {result.p95_ms:>8.1f} "
                f"{baseline.p50_ms:>8.1f} {baseline.p95_ms:>8.1f} "
                f"{result.p50_ms / baseline.p50_ms:>6.1f} {result.p95_ms / baseline.p95_ms:>6.1f} "
                f"{size:>9,} {result.errors:>6}"
            )

    def _http(self, port: int, token: str, requests: int) -> None:
        headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
        run_load(
            port,
            "/api/v1/intakes/",
            _intake_body,
            clients=2,
            requests_per_client=10,
            headers=headers,
        )  # warm-up
        self.stdout.write("\nIntake through the API vs a bare Django insert (same server):")
        self.stdout.write(
            f"  {'clients':>7} {'endpoint':<10} {'req/s':>8} {'p50 ms':>8} "
            f"{'p95 ms':>8} {'errors':>6}"
        )
        for clients in (1, 8):
            per_client = max(requests // clients, 5)
            bare = run_load(
                port,
                "/bench/bare/",
                _intake_body,
                clients=clients,
                requests_per_client=per_client,
                headers=headers,
            )
            intake = run_load(
                port,
                "/api/v1/intakes/",
                _intake_body,
                clients=clients,
                requests_per_client=per_client,
                headers=headers,
            )
            for name, result in (("bare", bare), ("intake", intake)):
                self.stdout.write(
                    f"  {clients:>7} {name:<10} {result.per_second:>8.1f} "
                    f"{result.p50_ms:>8.1f} {result.p95_ms:>8.1f} {result.errors:>6}"
                )
            self.stdout.write(
                f"  ratio intake/bare at {clients} client(s): throughput "
                f"{intake.per_second / bare.per_second:.2f}, p95 "
                f"{intake.p95_ms / bare.p95_ms:.2f}"
            )

    @staticmethod
    def _switch_to(url: str) -> None:
        connections["default"].close()
        config = dj_database_url.parse(url)
        connections.databases["default"].update(config)

    def _in_process(self) -> None:
        count, labels = queries_per_intake()
        self.stdout.write(f"\nQueries per intake (new case, victim + reporter): {count}")
        self.stdout.write("  " + ", ".join(f"{k}: {v}" for k, v in labels.items()))
        encrypted, plain = encryption_overhead(iterations=100)
        self.stdout.write(
            f"\nEncryption on the intake path (service, in-process, 100 intakes):\n"
            f"  encrypted {encrypted * 1000:.2f} ms/intake, plaintext {plain * 1000:.2f} "
            f"ms/intake, ratio {encrypted / plain:.2f}"
        )

    def _sweep(self, total: int, dues: list[int]) -> None:
        self.stdout.write(f"\nOverdue sweep with {total:,} open referrals:")
        for due in dues:
            r = bench_sweep(total, due)
            self.stdout.write(
                f"  {due:>7,} due: sweep {r['sweep_seconds'] * 1000:.0f} ms, "
                f"marked {r['marked']:,}, "
                f"escalations {r['escalations']:,}, outbox {r['outbox_messages']:,}, "
                f"due-index used: {r['sweep_index_used']} (insert took {r['insert_seconds']:.0f} s)"
            )
