"""The PostgreSQL engine `config.postgresql` (issue 15): a few rows are inserted as VALUES,
a large batch as UNNEST, and both store what they were given; moments load in psycopg's C
loader, as Django's own loader loads them."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.test.utils import CaptureQueriesContext
from psycopg import postgres
from psycopg.pq import Format

from config.postgresql.base import UtcTimestamptzLoader
from config.postgresql.compiler import VALUES_UP_TO
from places.models import Province

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the engine of PostgreSQL (DATABASE_URL)"
    ),
]


def _insert(count: int, prefix: str) -> str:
    rows = [Province(code=f"{prefix}{n}", name=f"Tỉnh {prefix} {n}") for n in range(count)]
    with CaptureQueriesContext(connection) as queries:
        Province.objects.bulk_create(rows)
    (insert,) = queries.captured_queries
    return insert["sql"]


def test_a_few_rows_go_as_values_and_a_batch_as_arrays():
    assert "UNNEST" not in _insert(2, "few")
    assert "UNNEST" not in _insert(VALUES_UP_TO, "most")
    assert "UNNEST" in _insert(VALUES_UP_TO + 1, "many")
    stored = dict(Province.objects.filter(name__startswith="Tỉnh ").values_list("code", "name"))
    assert stored == {
        f"{prefix}{n}": f"Tỉnh {prefix} {n}"
        for prefix, count in (("few", 2), ("most", VALUES_UP_TO), ("many", VALUES_UP_TO + 1))
        for n in range(count)
    }


MOMENTS = (
    "2026-07-01 12:00:00+07",  # Viet Nam time, stored and read in UTC
    "2025-12-31 23:59:59.999999+00",
    "1900-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    None,
)


def _moments(cursor) -> list:
    cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(MOMENTS)), MOMENTS)
    return list(cursor.fetchone())


def test_moments_load_in_c_as_djangos_loader_loads_them():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(postgres.types["timestamptz"].oid, Format.TEXT)
        assert loader is UtcTimestamptzLoader  # no cursor of Django's own replaced it
        loaded = _moments(cursor)
        cursor.cursor.adapters.register_loader("timestamptz", _DjangosUtcLoader)
        assert loaded == _moments(cursor)
    assert loaded[0] == datetime.datetime(2026, 7, 1, 5, tzinfo=datetime.UTC)
    assert {moment.tzinfo for moment in loaded[:-1]} == {datetime.UTC}


class _DjangosUtcLoader(BaseTzLoader):
    timezone = datetime.UTC
