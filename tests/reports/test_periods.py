"""Reporting periods and due dates (Plan 19/KH-BCĐ138/CP, III.2; Quảng Trị's 2023 plan)."""

from datetime import date, datetime

import pytest

from config.errors import InvalidInput
from places.models import VIETNAM_TZ, Province
from rulebooks.periods import describe, parse_period


@pytest.mark.parametrize(
    ("text", "first", "last", "due", "included_in"),
    [
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31), date(2025, 3, 20), None),
        ("2025-Q2", date(2025, 4, 1), date(2025, 6, 30), None, "2025-H1"),
        ("2025-Q3", date(2025, 7, 1), date(2025, 9, 30), date(2025, 9, 20), None),
        ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31), None, "2025"),
        ("2025-H1", date(2025, 1, 1), date(2025, 6, 30), date(2025, 6, 20), None),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31), None, "2025"),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), date(2025, 12, 20), None),
        (" 2024-q1 ", date(2024, 1, 1), date(2024, 3, 31), date(2024, 3, 20), None),
    ],
)
@pytest.mark.django_db
def test_periods_and_their_due_dates(text, first, last, due, included_in):
    described = describe(parse_period(text))
    assert (described["first_day"], described["last_day"]) == (first, last)
    assert described["due_before"] == due
    assert described["included_in"] == included_in
    assert described["citation"] == "Kế hoạch 19/KH-BCĐ138/CP (15/01/2024), mục III.2"
    assert "20/3" in described["wording"]
    assert described["submit_before"] == (due or described["submit_before"])


QUANG_TRI_DUE = [
    ("2023-Q1", date(2023, 3, 17), None),
    ("2023-Q2", None, "2023-H1"),
    ("2023-H1", date(2023, 6, 17), None),
    ("2023-Q3", date(2023, 9, 17), None),
    ("2023-H2", None, "2023"),
    ("2023", date(2023, 12, 17), None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "due", "included_in"), QUANG_TRI_DUE)
def test_quang_tri_sets_its_own_days(text, due, included_in):
    described = describe(parse_period(text), Province.objects.get(code="45"))
    assert described["due_before"] == due and described["included_in"] == included_in
    assert described["citation"].startswith("Kế hoạch thực hiện công tác phòng, chống mua bán")
    assert "Quảng Trị" in described["citation"] and "17/3" in described["wording"]


@pytest.mark.django_db
def test_the_merged_quang_tri_keeps_the_old_provinces_days_other_provinces_the_national():
    merged = Province.objects.get(code="n-quang-tri")
    assert describe(parse_period("2025-Q3"), merged)["due_before"] == date(2025, 9, 17)
    lao_cai = Province.objects.get(code="n-lao-cai")
    assert describe(parse_period("2025-Q3"), lao_cai)["due_before"] == date(2025, 9, 20)


@pytest.mark.django_db
def test_the_report_says_submit_before_the_day():
    described = describe(parse_period("2025-Q4"))
    assert described["submit_before"] == date(2025, 12, 20)
    assert "20/12/2025" in described["schedule"]


def test_a_period_runs_from_midnight_to_midnight_in_vietnam():
    period = parse_period("2025-Q4")
    assert period.code == "2025-Q4" and period.kind == "quarter"
    assert period.starts_at == datetime(2025, 10, 1, tzinfo=VIETNAM_TZ)
    assert period.ends_at == datetime(2026, 1, 1, tzinfo=VIETNAM_TZ)
    assert parse_period("2025").kind == "year" and parse_period("2025-H2").kind == "half_year"


@pytest.mark.parametrize(
    "text", ["", "2025-Q5", "2025-H3", "2025Q1", "25-Q1", "2025-Q1-extra", "Q1-2025"]
)
def test_other_periods_are_refused_with_a_clear_message(text):
    with pytest.raises(InvalidInput) as refused:
        parse_period(text)
    assert refused.value.code == "invalid_period"
    assert "2025" in refused.value.detail


@pytest.mark.parametrize("text", ["1999", "2100-Q1"])
def test_years_out_of_range_are_refused(text):
    with pytest.raises(InvalidInput) as refused:
        parse_period(text)
    assert refused.value.code == "invalid_period" and "2000" in refused.value.detail
