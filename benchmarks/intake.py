"""In-process measurements of the intake service (its query count and encryption cost), and the
process dispatcher the benchmark runs beside the server."""

import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import User
from cases.inputs import IntakeData, PersonData
from cases.services import create_intake
from security import fields
from workflows.models import PendingProcessSync


def _intake(n: int) -> IntakeData:
    return IntakeData(
        channel="hotline",
        narrative="Benchmark call",
        purposes=["forced_labour"],
        victim=PersonData(
            full_name=f"Lê Văn Đo {n}",
            birth_year=str(1980 + n % 40),
            phone=f"0911{n:06d}",
            sex="male",
        ),
        reporter=PersonData(full_name=f"Phạm Thị Gọi {n}", phone=f"0822{n:06d}"),
    )


def _operator() -> User:
    return User.objects.select_related("unit__province").get(username="demo-hotline")


def queries_per_intake() -> tuple[int, dict[str, int]]:
    """Queries of one intake that opens a new case, grouped by the table they touch first."""
    operator = _operator()
    create_intake(operator, _intake(0))  # warm caches (data-key unwrap, content types)
    with CaptureQueriesContext(connection) as captured:
        create_intake(operator, _intake(1))
    tables = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        words = sql.replace('"', " ").split()
        table = next((w for w in words if "_" in w and w.islower()), words[0])
        tables[f"{words[0].lower()} {table}"] += 1
    return len(captured.captured_queries), dict(tables.most_common(8))


@contextmanager
def _plaintext_fields():
    """Store field values unencrypted (benchmark only): the baseline for the overhead."""
    original = fields.EncryptedField._encrypt
    fields.EncryptedField._encrypt = lambda self, instance, plaintext: fields._Ciphertext(plaintext)
    try:
        yield
    finally:
        fields.EncryptedField._encrypt = original


def _time_intakes(operator: User, start: int, iterations: int) -> float:
    began = time.perf_counter()
    for n in range(start, start + iterations):
        create_intake(operator, _intake(n))
    return (time.perf_counter() - began) / iterations


def encryption_overhead(iterations: int = 100) -> tuple[float, float]:
    """Seconds per intake with encrypted fields and with plaintext fields, interleaved runs."""
    operator = _operator()
    encrypted, plain = [], []
    for round_ in range(3):
        base = 10_000 + round_ * 2 * iterations
        encrypted.append(_time_intakes(operator, base, iterations))
        with _plaintext_fields():
            plain.append(_time_intakes(operator, base + iterations, iterations))
    return min(encrypted), min(plain)


def transition_cases(count: int) -> list[str]:
    """`count` new cases the demo police opens in Lào Cai (they are the Lào Cai supervisor's
    to close and reopen): one per client of the transition load. Their uuids."""
    police = User.objects.select_related("unit__province").get(username="demo-police")
    data = [_intake(500_000 + n) for n in range(count)]
    for item in data:
        item.channel = "police_report"
    return [str(create_intake(police, item).case.uuid) for item in data]


@contextmanager
def process_dispatcher(env: dict, cwd, every: float):
    """The process dispatcher beside the server, as Celery beat runs it in production (every
    `every` seconds, `manage.py sync_processes --every`); yields its pid."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sync_processes", "--every", str(every)], cwd=cwd, env=env
    )
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def wait_for_dispatch(timeout: float = 300.0) -> float:
    """Wait until the dispatcher has synced every process the requests left pending (so that
    its CPU is counted with theirs); the seconds waited."""
    began = time.perf_counter()
    while PendingProcessSync.objects.exists():
        if time.perf_counter() - began > timeout:
            raise RuntimeError("The process dispatcher did not catch up.")
        time.sleep(0.1)
    return time.perf_counter() - began
