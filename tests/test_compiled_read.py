"""config.sql.CompiledRead: a read compiled by the ORM once per connection and shape of its
conditions, then run with each call's parameters (issue 15). What it answers is what the ORM
answers for the same read; a parameter it could not place is refused, never guessed."""

from datetime import timedelta

import pytest
from django.db.models import Q

from cases.models import Case
from config.sql import CachedCondition, CompiledRead
from tests.cast import INTAKE, open_case

pytestmark = pytest.mark.django_db

COLUMNS = ("number", "uuid", "received_at")


def _received_since(moment) -> CachedCondition:
    return CachedCondition(
        ("received since",), lambda _: "{at} >= %s", {"at": "received_at"}, [moment]
    )


def _numbered(*numbers: str) -> CachedCondition:
    writer = lambda _: "{number} IN (" + ", ".join(["%s"] * len(numbers)) + ")"  # noqa: E731
    return CachedCondition(("numbered", len(numbers)), writer, {"number": "number"}, numbers)


def _read() -> CompiledRead:
    return CompiledRead(
        Case,
        lambda *conditions: (
            Case.objects.filter(*conditions).order_by("number").values_list(*COLUMNS)
        ),
    )


@pytest.fixture
def cases(api, cast) -> list[Case]:
    client = api(cast.border_guard)
    numbers = [open_case(client, INTAKE)["number"] for _ in range(3)]
    return list(Case.objects.filter(number__in=numbers).order_by("number"))


def test_it_answers_as_the_orm_does_with_each_calls_values(cases, monkeypatch):
    read = _read()
    compiled = []
    monkeypatch.setattr(
        read, "_compile", lambda *a: compiled.append(a[2]) or CompiledRead._compile(read, *a)
    )
    first, second, third = cases
    since = third.received_at - timedelta(seconds=1)
    calls = [
        (_numbered(first.number, second.number), Q(_received_since(since))),
        (_numbered(third.number, second.number), Q(_received_since(since))),
        (_numbered(first.number), Q(pk__isnull=False)),
        (_numbered(third.number), Q(pk__isnull=False)),
    ]
    for conditions in calls:
        expected = Case.objects.filter(*conditions).order_by("number").values_list(*COLUMNS)
        assert read.rows(*conditions) == list(expected)
    # Each shape compiled once: two numbers and a moment; one number and every case.
    assert len(compiled) == 2


def test_a_condition_that_matches_nothing_asks_the_database_nothing(
    cases, django_assert_num_queries
):
    read = _read()
    for _ in range(2):
        with django_assert_num_queries(0):
            assert read.rows(_numbered(cases[0].number), Q(pk__in=[])) == []


def test_a_parameter_outside_its_cached_conditions_is_refused(cases):
    with pytest.raises(TypeError, match="outside"):
        _read().rows(_numbered(cases[0].number), Q(number=cases[0].number))
