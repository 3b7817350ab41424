"""A small closed-loop HTTP load generator on keep-alive connections (loopback only)."""

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    last_body: bytes = b""  # the last response's body
    failures: list[str] = field(default_factory=list)  # the first few failed answers

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p95_ms(self) -> float:
        if len(self.latencies_ms) < 2:
            return self.p50_ms
        return statistics.quantiles(self.latencies_ms, n=20)[18]


def run_load(
    port: int,
    path: str | Callable[[int, int], str],
    make_body,
    *,
    clients: int,
    requests_per_client: int,
    headers: dict | Callable[[int], dict],
) -> LoadResult:
    """`clients` threads each send `requests_per_client` requests, POSTs of `make_body(client,
    n)` or GETs when `make_body` is None, to `path` (or `path(client, n)`); returns throughput
    and latency. An answer of 300 or more, or a broken connection, counts as an error."""
    latencies: list[float] = []
    errors = [0]
    body_seen = [b""]
    failures: list[str] = []
    lock = threading.Lock()

    def failed(text: str) -> None:
        with lock:
            errors[0] += 1
            if len(failures) < 5:
                failures.append(text[:300])

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        sent_headers = headers(index) if callable(headers) else headers
        for n in range(requests_per_client):
            target = path(index, n) if callable(path) else path
            body = None if make_body is None else json.dumps(make_body(index, n))
            started = time.perf_counter()
            try:
                connection.request(
                    "GET" if body is None else "POST", target, body=body, headers=sent_headers
                )
                response = connection.getresponse()
                content = response.read()
            except (OSError, http.client.HTTPException) as exc:
                failed(f"{target}: {exc!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                body_seen[0] = content
                latencies.append(elapsed)
            if response.status >= 300:
                failed(f"{target}: {response.status} {content[:200]!r}")
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadResult(len(latencies), elapsed, latencies, errors[0], body_seen[0], failures)


def merged(parts: list[LoadResult]) -> LoadResult:
    """Several loads of one endpoint as one: their requests over their seconds, their
    latencies pooled."""
    return LoadResult(
        requests=sum(p.requests for p in parts),
        seconds=sum(p.seconds for p in parts),
        latencies_ms=[ms for p in parts for ms in p.latencies_ms],
        errors=sum(p.errors for p in parts),
        last_body=parts[-1].last_body,
        failures=[f for p in parts for f in p.failures][:5],
    )
