"""The PostgreSQL engine `config.postgresql` (issue 15): a few rows are inserted as VALUES,
a large batch as UNNEST, and both store what they were given."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
