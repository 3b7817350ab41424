"""A small closed-loop HTTP load generator on keep-alive connections (loopback only)."""

import http.client
import json
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    last_size: int = 0  # bytes of the last response body

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
    port: int, path: str, make_body, *, clients: int, requests_per_client: int, headers: dict
) -> LoadResult:
    """`clients` threads each send `requests_per_client` requests, POSTs of `make_body(client,
    n)` or GETs when `make_body` is None; returns throughput and latency."""
    latencies: list[float] = []
    errors = [0]
    size = [0]
    lock = threading.Lock()

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n in range(requests_per_client):
            body = None if make_body is None else json.dumps(make_body(index, n))
            started = time.perf_counter()
            connection.request("GET" if body is None else "POST", path, body=body, headers=headers)
            response = connection.getresponse()
            size[0] = len(response.read())
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status >= 300:
                    errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadResult(len(latencies), elapsed, latencies, errors[0], size[0])
