"""A small HTTP client for the fault tests: a session signed in through /login/ with CSRF, as
a browser would, and bursts of intakes with Idempotency-Key, retried until acknowledged.

Production settings mark cookies Secure (the TLS proxy is absent here), so the client keeps
cookies itself and says X-Forwarded-Proto: https, as the proxy would.
"""

import dataclasses
import http.client
import json
import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from security.idempotency import key_digest

INTAKE = {
    "channel": "hotline",
    "narrative": "Bị giữ ở Sihanoukville",
    "purposes": ["forced_labour"],
    "destination_country": "KH",
    "is_abroad": True,
}


@dataclasses.dataclass
class Response:
    status: int  # 0: no HTTP answer (connection refused or reset)
    body: dict
    error: str = ""
    replayed: bool = False  # answered with Idempotent-Replayed: true (the first intake's)


class Api:
    def __init__(self, port: int, username: str, password: str):
        self.username = username
        self.port, self.cookies = port, {}
        self.origin = f"https://127.0.0.1:{port}"
        self.login(username, password)

    def _raw(self, method: str, path: str, body: bytes | None, headers: dict, timeout: float):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {
                "X-Forwarded-Proto": "https",
                "Referer": self.origin + path,
                "Accept-Language": "en",
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                **headers,
            }
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, data
        finally:
            connection.close()

    def login(self, username: str, password: str) -> None:
        _, _, page = self._raw("GET", "/login/", None, {}, 30)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        status, _, _ = self._raw(
            "POST",
            "/login/",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            30,
        )
        assert status == 302 and "sessionid" in self.cookies, f"sign-in failed ({status})"

    def request(self, method: str, path: str, body=None, timeout: float = 30, headers=None):
        headers = {"Content-Type": "application/json", **(headers or {})}
        headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        data = json.dumps(body).encode() if body is not None else None
        try:
            status, answer_headers, raw = self._raw(method, path, data, headers, timeout)
        except (OSError, http.client.HTTPException) as exc:
            return Response(0, {}, f"{type(exc).__name__}: {exc}")
        replayed = answer_headers.get("Idempotent-Replayed") == "true"
        try:
            return Response(status, json.loads(raw) if raw else {}, replayed=replayed)
        except ValueError:
            return Response(status, {}, f"not JSON: {raw[:80]!r}", replayed=replayed)

    def intake(self, key: str, n: int) -> Response:
        victim = {"full_name": f"Nạn nhân {key}", "birth_year": 1990 + n % 20, "sex": "male"}
        return self.request(
            "POST",
            "/api/v1/intakes/",
            {**INTAKE, "victim": victim},
            headers={"Idempotency-Key": key},
        )


@dataclasses.dataclass
class Figures:
    test: str
    sent: int = 0  # distinct intakes (Idempotency-Keys)
    requests: int = 0  # HTTP requests, retries included
    acknowledged: int = 0  # answered 201 (or 200, a replay)
    stored: int = 0
    duplicates: int = 0
    lost: int = 0  # acknowledged but not stored
    recover_seconds: float | None = None
    notes: dict = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def line(self) -> str:
        recover = "-" if self.recover_seconds is None else f"{self.recover_seconds:.1f} s"
        notes = " ".join(f"{k}={v}" for k, v in self.notes.items())
        return (
            f"{self.test}: sent {self.sent} (requests {self.requests}), acknowledged "
            f"{self.acknowledged}, stored {self.stored}, duplicates {self.duplicates}, "
            f"lost {self.lost}, time to recover {recover} {notes}".rstrip()
        )


@dataclasses.dataclass
class Attempt:
    key: str
    statuses: list = dataclasses.field(default_factory=list)
    acknowledged_at: float | None = None
    replays: int = 0  # answers that were replays of the first intake


class Burst:
    """Intakes sent by several threads; each retried with its Idempotency-Key until
    acknowledged or the deadline passes. Statuses of every attempt are kept."""

    def __init__(self, api: Api, count: int, *, retry_for: float = 60, threads: int = 6):
        self.api, self.retry_for, self.threads = api, retry_for, threads
        self.run = uuid.uuid4().hex[:8]
        self.attempts = [Attempt(f"topo-{self.run}-{n}") for n in range(count)]
        self.lock = threading.Lock()

    @property
    def keys(self) -> list[str]:
        return [attempt.key for attempt in self.attempts]

    def _send(self, index: int, attempt: Attempt) -> None:
        deadline = time.monotonic() + self.retry_for
        while True:
            response = self.api.intake(attempt.key, index)
            attempt.statuses.append((response.status, response.body.get("error", "")))
            attempt.replays += response.replayed
            if response.status in (200, 201):
                attempt.acknowledged_at = time.monotonic()
                return
            if time.monotonic() > deadline:
                return
            time.sleep(0.3)

    def start(self) -> "Burst":
        self.pool = ThreadPoolExecutor(self.threads)
        self.futures = [self.pool.submit(self._send, n, a) for n, a in enumerate(self.attempts)]
        return self

    def wait(self) -> "Burst":
        for future in self.futures:
            future.result()
        self.pool.shutdown()
        return self

    def figures(self, test: str, cluster_db) -> Figures:
        with cluster_db() as connection:
            (user_id,) = connection.execute(
                "SELECT id FROM agencies_user WHERE username = %s", [self.api.username]
            ).fetchone()
            # Keys are stored as the sender's digest (security.idempotency), never in clear.
            digests = {key_digest(user_id, key): key for key in self.keys}
            rows = connection.execute(
                "SELECT idempotency_key, count(*) FROM cases_intake "
                "WHERE idempotency_key = ANY(%s) GROUP BY idempotency_key",
                [list(digests)],
            ).fetchall()
        stored = {digests[digest]: count for digest, count in rows}
        acknowledged = [a.key for a in self.attempts if a.acknowledged_at]
        return Figures(
            test,
            sent=len(self.attempts),
            requests=sum(len(a.statuses) for a in self.attempts),
            acknowledged=len(acknowledged),
            stored=len(stored),
            duplicates=sum(count - 1 for count in stored.values()),
            lost=sum(1 for key in acknowledged if key not in stored),
        )

    def statuses(self) -> dict[str, int]:
        seen: dict[str, int] = {}
        for attempt in self.attempts:
            for status, error in attempt.statuses:
                label = f"{status}{':' + error if error else ''}"
                seen[label] = seen.get(label, 0) + 1
        return seen


def children(pid: int) -> list[int]:
    """The PIDs whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def serving(pid: int, port: int) -> int:
    """How many established TCP connections to local port `port` the process holds: the
    requests a gunicorn worker has accepted and not yet answered."""
    inodes = _socket_inodes(pid)
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "01" and int(local.split(":")[1], 16) == port and inode in inodes:
            count += 1
    return count


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def has_connection_to(pid: int, port: int) -> bool:
    """Whether the process holds an established TCP connection to 127.0.0.1:`port`."""
    inodes = _socket_inodes(pid)
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote, state, inode = fields[2], fields[3], fields[9]
        if state == "01" and int(remote.split(":")[1], 16) == port and inode in inodes:
            return True
    return False


def wait_for(condition, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s")
