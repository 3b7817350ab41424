"""The case list never counts the whole visible set (issue 15): a page reads one row more than
it shows to know whether another follows, the count is exact when the list fits in one page
and otherwise stops at a cap (`count_capped`), and a page costs the same queries for one case
or many."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from cases.models import Case, CaseHolding, CaseState, ClosureReason
from cases.serializers import CaseSummarySerializer
from config.limits import CappedCountPagination
from config.renderers import VietnamTimeJSONRenderer
from tests.cast import INTAKE, api, drf_case_summary, open_case

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"


@pytest.fixture
def border(cast):
    return api(cast.border_guard)


def _counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_one_page_is_counted_from_its_rows(border):
    opened = {open_case(border)["id"] for _ in range(3)}
    with CaptureQueriesContext(connection) as captured:
        body = border.get(CASES).json()
    assert {row["id"] for row in body["results"]} == opened
    assert (body["count"], body["count_capped"], body["next"]) == (3, False, None)
    assert _counts(captured.captured_queries) == []  # no COUNT at all


def test_a_long_list_is_counted_up_to_the_cap(border, monkeypatch):
    monkeypatch.setattr(CappedCountPagination, "count_cap", 3)
    opened = [open_case(border)["id"] for _ in range(5)]
    with CaptureQueriesContext(connection) as captured:
        first = border.get(f"{CASES}?limit=2").json()
    assert (first["count"], first["count_capped"]) == (3, True)
    [count] = _counts(captured.captured_queries)
    assert "LIMIT 4" in count  # the count reads at most cap + 1 rows
    # ...of the cases alone: a join (the lead unit's code of the rows) turned PostgreSQL's
    # index-served semi-join into hash joins over the whole table.
    assert "JOIN" not in count.upper()
    second = border.get(first["next"]).json()
    third = border.get(second["next"]).json()
    assert third["next"] is None and third["previous"]
    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert seen == opened[::-1]  # newest first, each once

    monkeypatch.setattr(CappedCountPagination, "count_cap", 10)
    assert border.get(f"{CASES}?limit=2").json()["count"] == 5
    assert border.get(f"{CASES}?limit=2").json()["count_capped"] is False


def test_a_page_costs_the_same_queries_for_one_case_or_many(border):
    open_case(border)
    border.get(CASES)  # warm: session, content types, translations
    with CaptureQueriesContext(connection) as one:
        border.get(f"{CASES}?limit=2")
    for _ in range(4):
        open_case(border)
    with CaptureQueriesContext(connection) as pages:
        assert len(border.get(f"{CASES}?limit=2").json()["results"]) == 2
    with CaptureQueriesContext(connection) as whole:
        assert border.get(f"{CASES}?limit=20").json()["count"] == 5
    assert len(pages.captured_queries) == len(one.captured_queries) + 1  # + the capped count
    assert len(whole.captured_queries) == len(one.captured_queries)
    assert len(one.captured_queries) <= 6


def test_the_schema_documents_the_capped_count():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    response = schema["paths"]["/api/v1/cases/"]["get"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    page = schema["components"]["schemas"][ref]
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert "count_capped" in page["required"]
    assert "1000" in page["properties"]["count"]["description"]


def test_each_row_is_what_the_summary_serializer_writes(border, cast):
    """The list builds its rows from columns (cases.serializers.case_summaries), not through
    CaseSummarySerializer: every field must still come out as the serializer writes it."""
    for _ in range(2):
        open_case(border)
    closed = open_case(border)
    Case.objects.filter(uuid=closed["id"]).update(
        state=CaseState.CLOSED, closure_reason=ClosureReason.DECLINED_SUPPORT
    )
    rows = border.get(CASES).json()["results"]
    assert len(rows) == 3
    for row in rows:
        case = Case.objects.select_related("lead_unit").get(uuid=row["id"])
        assert row == drf_case_summary(case)


def test_rows_have_exactly_the_summary_serializers_declared_fields(border):
    """One writer for a case's summary: the list's rows and a single case's status come out
    with the fields CaseSummarySerializer declares (the OpenAPI schema), in order, no more."""
    opened = [open_case(border)["id"] for _ in range(2)]
    declared = list(CaseSummarySerializer.Meta.fields)
    rows = border.get(CASES).json()["results"]
    assert [list(row) for row in rows] == [declared] * 2
    status = border.get(f"{CASES}{opened[0]}/status/").json()
    assert list(status) == declared
    assert status == next(row for row in rows if row["id"] == opened[0])
    many = CaseSummarySerializer(Case.objects.filter(uuid__in=opened), many=True).data
    assert sorted(json.loads(VietnamTimeJSONRenderer().render(many)), key=str) == sorted(
        rows, key=str
    )


def test_a_page_is_one_query_and_its_count_one_more(border, cast, django_assert_num_queries):
    """The list reads the page (the lead units' codes in it) in one query, compiled once
    (cases.selectors.CaseList): nothing else than the signed-in user's own reads."""
    for _ in range(3):
        open_case(border)
    supervisor = api(cast.supervisor)
    border.get(CASES), supervisor.get(CASES)  # warm: translations, content types
    with django_assert_num_queries(3):  # session, user; the page
        assert border.get(CASES).json()["count"] == 3
    with django_assert_num_queries(4):  # + the capped count
        assert border.get(f"{CASES}?limit=2").json()["count"] == 3
    # session, user with their unit (agencies.backends.MemberBackend), second factor; the page
    with django_assert_num_queries(4):
        supervisor.get(CASES)


def test_a_stage_lists_that_stage_only_and_counts_it(border):
    opened = [open_case(border)["id"] for _ in range(4)]
    Case.objects.filter(uuid__in=opened[:3]).update(
        state=CaseState.CLOSED, closure_reason=ClosureReason.DECLINED_SUPPORT
    )
    closed = border.get(f"{CASES}?state=closed&limit=2").json()
    assert [row["id"] for row in closed["results"]] == [opened[2], opened[1]]  # newest first
    assert (closed["count"], closed["count_capped"]) == (3, False)
    assert "state=closed" in closed["next"]
    rest = border.get(closed["next"]).json()
    assert ([row["id"] for row in rest["results"]], rest["count"]) == ([opened[0]], 3)
    assert rest["next"] is None and "state=closed" in rest["previous"]
    intake = border.get(f"{CASES}?state=intake").json()
    assert ([row["id"] for row in intake["results"]], intake["count"]) == ([opened[3]], 1)
    assert border.get(f"{CASES}?state=rescue").json() == {
        "count": 0,
        "count_capped": False,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_a_later_page_and_one_past_the_end_are_counted(border):
    """Only a first page that holds the whole list is counted from its rows."""
    opened = [open_case(border)["id"] for _ in range(5)]
    last = border.get(f"{CASES}?limit=2&offset=4").json()
    assert [row["id"] for row in last["results"]] == [opened[0]]
    assert (last["count"], last["count_capped"], last["next"]) == (5, False, None)
    assert "offset=2" in last["previous"]
    past = border.get(f"{CASES}?limit=2&offset=10").json()
    assert (past["results"], past["count"], past["next"]) == ([], 5, None)


def test_a_units_list_is_in_the_order_its_cases_were_received(border, cast):
    """Newest case first, whenever the unit's hold on each began: a unit's list reads its
    holdings' copy of the case's received_at (cases.selectors.CaseList)."""
    now = timezone.now()
    opened = [
        open_case(border, {**INTAKE, "received_at": (now - timedelta(hours=hours)).isoformat()})
        for hours in (3, 1, 2)
    ]
    for minutes, case in enumerate(opened):  # the police hold them from now on, in that order
        CaseHolding.objects.create(
            case=Case.objects.get(uuid=case["id"]),
            unit=cast.police.unit,
            basis=CaseHolding.Basis.REFERRAL,
            since=now + timedelta(minutes=minutes),
        )
    police = api(cast.police)
    pages = [police.get(f"{CASES}?limit=1").json()]  # each page one case: a page is a slice
    while pages[-1]["next"]:
        pages.append(police.get(pages[-1]["next"]).json())
    listed = [row["id"] for page in pages for row in page["results"]]
    assert listed == [opened[1]["id"], opened[2]["id"], opened[0]["id"]]
    assert (pages[0]["count"], pages[0]["count_capped"]) == (3, False)
