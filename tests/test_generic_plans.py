"""Reads run on every request settle on one generic plan once PostgreSQL has prepared them
(issue 15): planned anew on every run, the duplicate lookup spent more in its planning than
in its run, and so did the overdue page's escalations. Each test runs a read more times than
psycopg waits before preparing it and PostgreSQL plans it for its values before choosing."""

import pytest
from django.conf import settings
from django.db import connection

from cases.selectors import _POSSIBLE_DUPLICATES, possible_duplicates
from supervision.selectors import OVERDUE_PAGE, _escalation_levels

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's plan cache (DATABASE_URL)"
    ),
]

RUNS = 12
# Runs before psycopg prepares a statement (settings), and custom plans PostgreSQL makes of a
# prepared one before it may settle on a generic plan.
UNPREPARED = settings.DATABASES["default"]["OPTIONS"].get("prepare_threshold", 0)
CUSTOM_FIRST = 5


def _plans(statement_part: str) -> tuple[int, int]:
    """The generic and custom plans made for the prepared statement holding the part."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE strpos(statement, %s) > 0",
            [statement_part],
        )
        [plans] = cursor.fetchall()
    return plans


def test_the_duplicate_lookup_settles_on_a_generic_plan(cast):
    """The blind indexes are opaque: a custom plan that saw the ones not given folded them
    away and was costed below the generic one at a million persons (0 generic plans in
    1,059 runs on the bench's database; 1,054 once opaque). A test database is too small
    for the costs to tell the two apart, so the opaque form is checked in the SQL too."""
    _POSSIBLE_DUPLICATES._compiled.clear()  # only this test's shape: one phone
    for _ in range(RUNS):  # a phone given, no ID number nor name: NULLs where they go
        possible_duplicates(cast.police, phones=["0912345678"])
    assert _plans("dup_person") == (RUNS - UNPREPARED - CUSTOM_FIRST, CUSTOM_FIRST)
    [lookup] = [read.sql for read in _POSSIBLE_DUPLICATES._compiled.values()]
    assert lookup.count('_index" = (SELECT %s)') == 3


def test_the_escalations_of_a_short_overdue_page_settle_on_a_generic_plan():
    for _ in range(RUNS):
        _escalation_levels([1, 2], OVERDUE_PAGE)
    generic_and_custom = _plans('FROM "referrals_escalation"')
    assert generic_and_custom == (RUNS - UNPREPARED - CUSTOM_FIRST, CUSTOM_FIRST)
