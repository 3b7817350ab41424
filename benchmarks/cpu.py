"""CPU time of the server's processes and of the database's, read from /proc (Linux).

The web server: gunicorn's master and its workers (children of the master); the process
dispatcher, which does the process work the requests leave behind (workflows). PostgreSQL: the
backends connected to the benchmark database (pg_stat_activity), read from /proc when the
database runs on this machine; SQLite runs inside the workers. Times are user + system.
"""

import os
from pathlib import Path

from django.db import connection

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields after the command name


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of the process (0 when it is gone or unreadable)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def children(parent: int) -> list[int]:
    """Processes whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def database_pids() -> list[int]:
    """PostgreSQL backends of the current database except this process's own connection;
    [] on SQLite (its CPU is the server's) or when they cannot be read from /proc here."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return [pid for pid in pids if _stat(pid) is not None]


class CpuMeter:
    """CPU seconds spent by the server (master + workers), the database backends and other
    processes of the system (`others`: the process dispatcher) between start() and stop();
    backends that connect meanwhile count from zero."""

    def __init__(self, server_pid: int, others: tuple[int, ...] = ()):
        self.server_pid = server_pid
        self.others = others

    def _sample(self) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
        server = [self.server_pid, *children(self.server_pid)]
        return (
            {pid: process_seconds(pid) for pid in server},
            {pid: process_seconds(pid) for pid in database_pids()},
            {pid: process_seconds(pid) for pid in self.others},
        )

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> tuple[float, float, float]:
        """(server seconds, database seconds, others' seconds) since start()."""
        after = self._sample()
        return tuple(
            sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in now.items())
            for before, now in zip(self.before, after, strict=True)
        )
