"""The production topology on this machine, on loopback, with no container engine.

    deploy/local-cluster up [--dir DIR]      start it (idempotent), migrate, wait for /readyz
    deploy/local-cluster down [--dir DIR]    stop everything it started, by PID
    deploy/local-cluster status [--dir DIR]  each process, and /readyz
    deploy/local-cluster failover            stop the primary, promote the replica, restart the
                                             application processes on it
    deploy/local-cluster restart-web         restart gunicorn (or `restart-workers`, `restart-beat`)

Processes: a PostgreSQL 15 primary (55432) with a streaming replica (55433, pg_basebackup -R),
Redis without persistence (56379), gunicorn with 2 workers (58000), 2 Celery workers (their
Prometheus metrics on 59808 and 59809, LOIVE_WORKER_METRICS_BIND), one beat, all with
`config.production` and secrets generated into the cluster directory. The state (PIDs, ports,
the database URL) is kept in DIR/state.json; DIR defaults to ./var/cluster.

LOIVE_CLUSTER_PORT_OFFSET=N (or --port-offset N) shifts every port by N, so that a second
cluster (a helper's, CI's) runs beside another; the offset is kept in DIR/state.json, so later
commands on DIR use it without being told again.

PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user and its
directory belongs to that user.
"""

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("LOIVE_PG_BIN", "/usr/lib/postgresql/15/bin"))
VENV_BIN = (
    ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin").exists() else Path(sys.executable).parent
)
# The base ports; a cluster's own are these plus its offset (Cluster.ports).
PORTS = {"primary": 55432, "replica": 55433, "redis": 56379, "web": 58000, "worker_metrics": 59808}
DATABASE = "loive"
APP_PROCESSES = ("web", "worker-1", "worker-2", "beat")


class ClusterError(RuntimeError):
    pass


class Cluster:
    def __init__(self, directory: Path, port_offset: int | None = None):
        self.dir = directory.resolve()
        self.pg_dir = self.dir / "pg"
        self.log_dir = self.dir / "logs"
        self.state_file = self.dir / "state.json"
        if port_offset is None:
            kept = self.state_file.exists() and json.loads(self.state_file.read_text())
            if kept and "port_offset" in kept:
                port_offset = kept["port_offset"]
            else:
                port_offset = int(os.environ.get("LOIVE_CLUSTER_PORT_OFFSET") or 0)
        self.port_offset = port_offset
        self.ports = {name: port + port_offset for name, port in PORTS.items()}

    def worker_metrics_port(self, n: int) -> int:
        return self.ports["worker_metrics"] + n - 1

    # --- state -------------------------------------------------------------------------------
    def state(self) -> dict:
        if self.state_file.exists():
            return json.loads(self.state_file.read_text())
        return {
            "pids": {},
            "database_port": self.ports["primary"],
            "promoted": False,
            "port_offset": self.port_offset,
        }

    def save(self, state: dict) -> None:
        state["port_offset"] = self.port_offset
        self.state_file.write_text(json.dumps(state, indent=2))

    @property
    def metrics_dir(self) -> Path:
        return self.dir / "prometheus"

    def database_url(self, state: dict | None = None) -> str:
        port = (state or self.state())["database_port"]
        return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def secrets(self) -> dict[str, str]:
        path = self.dir / "secrets.env"
        if not path.exists():
            values = {
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "LOIVE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
                "LOIVE_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
            }
            path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
            path.chmod(0o600)
        return dict(line.split("=", 1) for line in path.read_text().split())

    def password(self) -> str:
        """The password of the seeded users (the demo organisation)."""
        path = self.dir / "password.txt"
        if not path.exists():
            path.write_text(f"Cluster-{secrets.token_hex(8)}")
            path.chmod(0o600)
        return path.read_text().strip()

    def env(self, state: dict | None = None) -> dict[str, str]:
        """The application's environment: production settings against this cluster."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LOIVE_", "DJANGO_"))}
        env.update(self.secrets())
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.production",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "LOIVE_SSL_REDIRECT": "0",
                "LOIVE_DATA_DIR": str(self.dir / "data"),
                "DATABASE_URL": self.database_url(state),
                "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
                "LOIVE_BIND": f"127.0.0.1:{self.ports['web']}",
                "LOIVE_WEB_WORKERS": "2",
                "LOIVE_WEB_THREADS": "4",
                "LOIVE_SWEEP_SECONDS": os.environ.get("LOIVE_CLUSTER_SWEEP_SECONDS", "2"),
                "LOIVE_HEARTBEAT_SECONDS": "5",
                "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    # --- processes ---------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> int:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("a")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env or self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        state = self.state()
        state["pids"][name] = process.pid
        self.save(state)
        return process.pid

    def _as_postgres(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)

    def _pg_pid(self, data: Path) -> int | None:
        try:
            return int((data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError, PermissionError):
            return None

    def start_postgres(self) -> None:
        primary, replica = self.pg_dir / "primary", self.pg_dir / "replica"
        self.pg_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.pg_dir, "postgres", "postgres")
        self.pg_dir.chmod(0o700)
        state = self.state()
        if not (primary / "PG_VERSION").exists() and not state.get("promoted"):
            self._as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust"]
                + ["-E", "UTF8", "--locale=C.UTF-8"]
            )
            with (primary / "postgresql.conf").open("a") as conf:
                conf.write(
                    "\n# local-cluster\nlisten_addresses = '127.0.0.1'\n"
                    "unix_socket_directories = ''\nwal_level = replica\nmax_wal_senders = 5\n"
                    "hot_standby = on\nfsync = on\nmax_connections = 100\n"
                )
        if not state.get("promoted"):
            self._pg_start("primary", primary, self.ports["primary"])
            self._create_database(self.ports["primary"])
            if not (replica / "PG_VERSION").exists():
                self._as_postgres(
                    [
                        str(PG_BIN / "pg_basebackup"),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(self.ports["primary"]),
                    ]
                    + ["-U", "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast"]
                )
        self._pg_start("replica", replica, self.ports["replica"])

    def _pg_start(self, name: str, data: Path, port: int) -> None:
        pid = self._pg_pid(data)
        if pid and _alive(pid):
            self._record(name, pid)
            return
        self._as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log")]
            + ["-o", f"-p {port}", "-w", "-t", "60", "start"]
        )
        self._record(name, self._pg_pid(data))

    def _record(self, name: str, pid: int | None) -> None:
        state = self.state()
        state["pids"][name] = pid
        self.save(state)

    def _create_database(self, port: int) -> None:
        exists = subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-tAc"]
            + [f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(
                [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
                + [DATABASE],
                check=True,
            )

    def start_redis(self) -> None:
        if _alive(self.state()["pids"].get("redis")):
            return
        (self.dir / "redis").mkdir(parents=True, exist_ok=True)
        self._spawn(
            "redis",
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.ports["redis"])]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.dir / "redis")],
        )
        _wait(self.redis_ping, 30, "Redis did not answer")

    def redis_ping(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.ports["redis"]), "ping"], capture_output=True, text=True
        )
        return result.stdout.strip() == "PONG"

    def manage(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def prepare_application(self) -> None:
        self.manage("migrate", "--noinput")
        seed = (
            f"from demo import organisation as o; o.seed_users(o.seed_units(), {self.password()!r})"
        )
        self.manage("shell", "-c", seed)

    def start_web(self) -> None:
        if not _alive(self.state()["pids"].get("web")):
            self._spawn(
                "web",
                [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            )

    def start_workers(self) -> None:
        for n in (1, 2):
            if not _alive(self.state()["pids"].get(f"worker-{n}")):
                # Each worker serves its own metrics (its pool's samples, from a directory of
                # its own: a shared one would make each worker report every process's counts).
                metrics_dir = self.metrics_dir / f"worker-{n}"
                shutil.rmtree(metrics_dir, ignore_errors=True)
                metrics_dir.mkdir(parents=True)
                env = self.env() | {
                    "LOIVE_WORKER_METRICS_BIND": f"127.0.0.1:{self.worker_metrics_port(n)}",
                    "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
                }
                self._spawn(
                    f"worker-{n}",
                    [str(VENV_BIN / "celery"), "-A", "config", "worker", "-n", f"worker{n}@%h"]
                    + ["--concurrency", "1", "--prefetch-multiplier", "1", "-l", "info"],
                    env,
                )

    def start_beat(self) -> None:
        if not _alive(self.state()["pids"].get("beat")):
            self._spawn(
                "beat",
                [str(VENV_BIN / "celery"), "-A", "config", "beat", "-l", "info"]
                + ["-s", str(self.dir / "celerybeat-schedule")],
            )

    def readyz(self, timeout: float = 5) -> tuple[int, dict]:
        url = f"http://127.0.0.1:{self.ports['web']}/readyz"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
        except (OSError, ValueError) as exc:
            return 0, {"error": str(exc)}

    def wait_ready(self, timeout: float = 90) -> float:
        started = time.monotonic()
        _wait(lambda: self.readyz()[0] == 200, timeout, "/readyz did not become 200")
        return time.monotonic() - started

    # --- commands ----------------------------------------------------------------------------
    def up(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "data").mkdir(exist_ok=True)
        # prometheus-client's multiprocess files: emptied before the processes that write them
        # start (a new cluster's counters start at zero).
        shutil.rmtree(self.metrics_dir, ignore_errors=True)
        self.metrics_dir.mkdir()
        self.start_postgres()
        self.start_redis()
        self.prepare_application()
        self.start_web()
        self.start_workers()
        self.start_beat()
        waited = self.wait_ready()
        print(f"local cluster up in {self.dir} (/readyz 200 after {waited:.1f} s)")
        self.status()

    def stop(self, *names: str, timeout: float = 30) -> dict[str, int]:
        """Stop processes by their PIDs, together: gracefully first, SIGKILL after the timeout."""
        state = self.state()
        pids = {}
        for name in names:
            pid = state["pids"].get(name)
            if name in ("primary", "replica"):
                pid = self._pg_pid(self.pg_dir / name) or pid
                sig = signal.SIGINT  # PostgreSQL's fast shutdown
            else:
                sig = signal.SIGTERM  # gunicorn, Celery (warm shutdown) and Redis stop cleanly
            if _alive(pid):
                os.kill(pid, sig)
                pids[name] = pid
        try:
            _wait(lambda: not any(_alive(pid) for pid in pids.values()), timeout, "")
        except ClusterError:
            for pid in pids.values():
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
            _wait(lambda: not any(_alive(p) for p in pids.values()), 10, f"{pids} would not stop")
        state = self.state()
        for name in names:
            state["pids"].pop(name, None)
        self.save(state)
        return pids

    def down(self) -> None:
        """The application first (together), then Redis, then the replica, then the primary."""
        for group in (APP_PROCESSES, ("redis",), ("replica",), ("primary",)):
            for name, pid in self.stop(*group).items():
                print(f"stopped {name} ({pid})")

    def status(self) -> int:
        state = self.state()
        running = 0
        for name in ("primary", "replica", "redis", *APP_PROCESSES):
            pid = state["pids"].get(name)
            if name in ("primary", "replica"):
                pid = self._pg_pid(self.pg_dir / name) or pid
            alive = _alive(pid)
            running += alive
            print(f"{name:<9} {pid or '-':>8}  {'running' if alive else 'stopped'}")
        code, body = self.readyz()
        print(f"/readyz   {code}  {json.dumps(body)}")
        print(f"database  {self.database_url(state)}")
        print(f"web       http://127.0.0.1:{self.ports['web']}/  (port offset {self.port_offset})")
        return 0 if code == 200 else 1

    def restart_web(self) -> None:
        self.stop("web")
        self.start_web()
        self.wait_ready()

    def restart_workers(self) -> None:
        self.stop("worker-1", "worker-2")
        self.start_workers()

    def restart_beat(self) -> None:
        self.stop("beat")
        self.start_beat()

    def failover(self) -> None:
        """Stop the primary, promote the replica, point every application process at it."""
        self.stop("primary")
        self._as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.pg_dir / "replica"), "-w"] + ["promote"]
        )
        state = self.state()
        state.update(promoted=True, database_port=self.ports["replica"])
        self.save(state)
        self.stop(*APP_PROCESSES)
        self.start_web()
        self.start_workers()
        self.start_beat()
        waited = self.wait_ready()
        print(
            f"failed over to the replica on {self.ports['replica']} "
            f"(/readyz 200 after {waited:.1f} s)"
        )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not running
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _wait(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise ClusterError(message or "timed out")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="deploy/local-cluster", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "command",
        choices=[
            "up",
            "down",
            "status",
            "failover",
            "restart-web",
            "restart-workers",
            "restart-beat",
        ],
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("LOIVE_CLUSTER_DIR", ROOT / "var" / "cluster")),
    )
    parser.add_argument(
        "--port-offset",
        type=int,
        default=None,
        help="shift every port by N (default: the cluster's own, or LOIVE_CLUSTER_PORT_OFFSET)",
    )
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir, args.port_offset)
    try:
        result = getattr(cluster, args.command.replace("-", "_"))()
    except (ClusterError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"local-cluster {args.command}: {exc}\n{detail}", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
