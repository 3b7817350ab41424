"""config.sql.CompiledRead: a read compiled by the ORM once per database and shape, then run
with each call's values (issue 15). What it answers is what the ORM answers for the same read;
a call never runs with another call's values."""

from datetime import timedelta

import pytest
from django.db import models
from django.db.models import F, Q

from cases.models import Case
from config.sql import CachedCondition, CompiledRead, Lookup, Slot
from tests.cast import INTAKE, open_case

pytestmark = pytest.mark.django_db

COLUMNS = ("number", "uuid", "received_at")
_NOT_BEFORE = Slot("not_before", models.DateTimeField())


def _received_since(moment) -> CachedCondition:
    return CachedCondition(
        ("received since",), lambda _: "{at} >= %s", {"at": "received_at"}, [moment]
    )


def _numbered(*numbers: str) -> CachedCondition:
    writer = lambda _: "{number} IN (" + ", ".join(["%s"] * len(numbers)) + ")"  # noqa: E731
    return CachedCondition(("numbered", len(numbers)), writer, {"number": "number"}, numbers)


def _cases(*conditions):
    return Case.objects.filter(*conditions).order_by("number").values(*COLUMNS)


def _counted(monkeypatch, read: CompiledRead) -> list:
    compiled = []
    compile_ = read._compile
    monkeypatch.setattr(read, "_compile", lambda *a: compiled.append(a[1]) or compile_(*a))
    return compiled


@pytest.fixture
def cases(api, cast) -> list[Case]:
    client = api(cast.border_guard)
    numbers = [open_case(client, INTAKE)["number"] for _ in range(3)]
    return list(Case.objects.filter(number__in=numbers).order_by("number"))


def test_it_answers_as_the_orm_does_with_each_calls_values(cases, monkeypatch):
    read = CompiledRead(_cases)
    compiled = _counted(monkeypatch, read)
    first, second, third = cases
    since = third.received_at - timedelta(seconds=1)
    calls = [
        (_numbered(first.number, second.number), Q(_received_since(since))),
        (_numbered(third.number, second.number), Q(_received_since(since))),
        (_numbered(first.number), Q(pk__isnull=False)),
        (_numbered(third.number), Q(pk__isnull=False)),
    ]
    for conditions in calls:
        assert read.rows(*conditions) == list(_cases(*conditions))
    # Each shape compiled once: two numbers and a moment; one number and every case.
    assert len(compiled) == 2


def test_other_arguments_are_their_own_shape(cases, monkeypatch):
    read = CompiledRead(_cases)
    compiled = _counted(monkeypatch, read)
    for case in [*cases, *cases]:
        assert read.rows(Q(number=case.number)) == list(_cases(Q(number=case.number)))
    assert len(compiled) == 3  # a Q compares the values it holds: one per case, then reused


def test_slots_are_filled_in_on_each_run(cases, monkeypatch):
    read = CompiledRead(lambda: _cases(Q(received_at__gte=_NOT_BEFORE)))
    compiled = _counted(monkeypatch, read)
    for case in cases:
        expected = list(_cases(Q(received_at__gte=case.received_at)))
        assert read.rows(not_before=case.received_at) == expected
    assert len(compiled) == 1


def test_a_read_that_matches_nothing_asks_the_database_nothing(cases, django_assert_num_queries):
    read = CompiledRead(_cases)
    for _ in range(2):
        with django_assert_num_queries(0):
            assert read.rows(_numbered(cases[0].number), Q(pk__in=[])) == []


def test_it_keeps_the_most_recent_shapes_only(cases):
    read = CompiledRead(_cases, size=2)
    for case in cases:
        read.rows(Q(number=case.number))
    assert len(read._compiled) == 2


def test_it_counts_as_the_orm_does_capped_by_the_slice(cases, monkeypatch):
    """count() is the database's COUNT of the read (a sliced read counted in a subquery, as
    QuerySet.count() counts it), compiled apart from the same read's rows."""
    read = CompiledRead(lambda *conditions: _cases(*conditions)[:2])
    compiled = _counted(monkeypatch, read)
    numbers = [case.number for case in cases]
    for _ in range(2):
        assert read.count(_numbered(*numbers)) == _cases(_numbered(*numbers))[:2].count() == 2
        assert read.count(_numbered(*numbers[:1])) == 1
        assert [row["number"] for row in read.rows(_numbered(*numbers))] == numbers[:2]
    assert len(compiled) == 3  # the count of each shape, and the rows: each once


def test_a_count_that_matches_nothing_asks_the_database_nothing(cases, django_assert_num_queries):
    read = CompiledRead(_cases)
    for _ in range(2):
        with django_assert_num_queries(0):
            assert read.count(_numbered(cases[0].number), Q(pk__in=[])) == 0


_LEAD = Case._meta.get_field("lead_unit")
_PROVINCE = Case._meta.get_field("province")
LOOKUPS = (
    Lookup("lead_code", _LEAD, "code"),
    Lookup("lead_active", _LEAD, "is_active"),
    Lookup("province_name", _PROVINCE, "name"),
    Lookup("creator_joined", Case._meta.get_field("created_by"), "date_joined"),
)


def _newest(*conditions):
    read = Case.objects.filter(*conditions).order_by("-number")
    return read.values("number", "lead_unit_id", "province_id", "created_by_id")[:2]


def test_lookups_add_the_small_tables_columns_to_the_rows_found(cases):
    """As the ORM's joins give them, in the read's order and within its slice: a null key
    names nothing, a moment is as the ORM loads it (aware: SQLite stores it naive)."""
    Case.objects.filter(pk=cases[2].pk).update(province=None)
    read = CompiledRead(_newest, lookups=LOOKUPS)
    among = Q(pk__in=[case.pk for case in cases])
    joined = {
        "lead_code": "lead_unit__code",
        "lead_active": "lead_unit__is_active",
        "province_name": "province__name",
        "creator_joined": "created_by__date_joined",
    }
    expected = list(
        _newest(among).values(
            "number",
            "lead_unit_id",
            "province_id",
            "created_by_id",
            **{name: F(path) for name, path in joined.items()},
        )
    )
    assert [row["number"] for row in expected] == [cases[2].number, cases[1].number]
    assert expected[0]["province_name"] is None and expected[1]["province_name"]
    for _ in range(2):
        assert read.rows(among) == expected


def test_lookups_need_the_read_ordered_by_its_columns_and_their_keys_read(cases):
    """Around the read, only its own columns can be ordered by, and joined on."""
    by_time = CompiledRead(
        lambda: Case.objects.order_by("-received_at").values("number", "lead_unit_id"),
        lookups=LOOKUPS[:1],
    )
    with pytest.raises(ValueError, match="order by selected columns"):
        by_time.rows()
    keyless = CompiledRead(
        lambda: Case.objects.order_by("number").values("number"), lookups=LOOKUPS[:1]
    )
    with pytest.raises(ValueError, match="key is not among"):
        keyless.rows()
