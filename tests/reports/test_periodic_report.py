"""The periodic statistics over cases taken through the API (báo cáo định kỳ)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Role
from reports.selectors import periodic_report
from tests.cast import open_case, refused

from .conftest import backdate, counts, figure, get_report, intake, screen_and_verify, target

pytestmark = pytest.mark.django_db


def test_quarter_counts_reports_victims_and_services(story, supervisor):
    report = get_report(supervisor, "2025-Q4").json()

    assert report["period"]["due_before"] is None and report["period"]["included_in"] == "2025"
    assert report["scope"] == {"unit": report["scope"]["unit"], "province": "Lào Cai"}
    totals = {f["key"]: f["total"] for f in report["figures"]}
    assert totals["received"] == 2
    assert totals["resolved"] == 1
    assert totals["investigated"] == 2
    assert totals["identified"] == 1
    assert totals["rescued"] == 1
    assert totals["supported"] == 1 and totals["supported.medical"] == 1
    assert totals["supported.legal_aid"] == 0

    assert counts(report, "received", "sex") == {"female": 2}
    assert counts(report, "received", "age_group") == {"16_17": 1, "18_29": 1}
    assert counts(report, "received", "province") == {"n-lao-cai": 2}
    assert counts(report, "received", "purpose") == {"forced_marriage": 1, "sexual_exploitation": 1}
    assert counts(report, "received", "destination_country") == {"CN": 1, "unknown": 1}
    assert counts(report, "identified", "age_group") == {"16_17": 1}
    assert counts(report, "supported.medical", "destination_country") == {"CN": 1}


def test_fixed_breakdowns_list_every_value_even_at_zero(story, supervisor):
    report = get_report(supervisor, "2025-Q4").json()
    sex = next(b for b in figure(report, "rescued")["breakdowns"] if b["dimension"] == "sex")
    assert [v["code"] for v in sex["values"]] == ["female", "male", "other", "unknown"]
    assert sex["label"] == "Sex" and sex["values"][1] == {
        "code": "male",
        "label": "Male",
        "count": 0,
    }


def test_scenario_03_not_trafficking_counts_as_received_and_resolved_but_not_as_a_victim(
    story, supervisor
):
    """Scenario 03, point 2."""
    report = get_report(supervisor, "2025-Q4").json()
    assert counts(report, "received", "age_group")["18_29"] == 1
    assert counts(report, "resolved", "purpose") == {"sexual_exploitation": 1}
    assert counts(report, "investigated", "purpose")["sexual_exploitation"] == 1
    for victims in ("identified", "rescued", "supported"):
        assert "sexual_exploitation" not in counts(report, victims, "purpose")


def test_a_victim_decision_reversed_later_no_longer_counts(story, api, cast, supervisor):
    police = api(cast.police)
    response = police.post(
        f"/api/v1/cases/{story['identified']}/identifications/",
        {"is_victim": False, "decided_at": "2025-11-15T09:00:00+07:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    report = get_report(supervisor, "2025-Q4").json()
    assert figure(report, "identified")["total"] == 0
    assert figure(report, "received")["total"] == 2


def test_yen_bai_counts_under_lao_cai_for_the_year_of_the_merger(story, supervisor):
    """Yên Bái ("15") merged into Lào Cai on 2025-07-01: the 2025 report counts it there."""
    annual = get_report(supervisor, "2025").json()
    assert counts(annual, "received", "province") == {"n-lao-cai": 3}
    province = next(
        b for b in figure(annual, "received")["breakdowns"] if b["dimension"] == "province"
    )
    assert province["values"] == [{"code": "n-lao-cai", "label": "Lào Cai", "count": 3}]

    first_quarter = get_report(supervisor, "2025-Q1").json()
    assert counts(first_quarter, "received", "province") == {"15": 1}
    assert counts(first_quarter, "received", "purpose") == {"forced_labour": 1}
    assert counts(first_quarter, "received", "destination_country") == {"MY": 1}
    assert counts(get_report(supervisor, "2025-H1").json(), "received", "province") == {"15": 1}


def test_targets_from_the_plan_with_their_citation_and_the_previous_period(story, supervisor):
    """The targets count the criminal track (tests/reports/test_proceedings_figures.py);
    victims' cases alone give nothing to count."""
    report = get_report(supervisor, "2025-Q4").json()
    assert report["previous_period"] == "2025-Q3"
    assert [t["key"] for t in report["targets"]] == [
        "received_and_processed",
        "resolved",
        "investigated",
        "prosecuted",
        "tried",
    ]
    for row in report["targets"]:
        assert row["citation"] == "Plan 19/KH-BCĐ138/CP (15/01/2024), I.2"
        assert row["status"] == "no_reports" and row["achieved_percent"] is None
        assert row["previous"]["period"] == "2025-Q3"
    resolved = target(report, "resolved")
    assert (resolved["target_percent"], resolved["comparison"]) == (90, "above")


def test_no_reports_means_no_achieved_figure(story, supervisor):
    report = get_report(supervisor, "2024-Q3").json()
    assert all(f["total"] == 0 for f in report["figures"])
    assert target(report, "resolved")["status"] == "no_reports"


def test_a_provincial_supervisor_sees_their_province_and_the_centre_everything(
    story, supervisor, central_supervisor
):
    assert figure(get_report(supervisor, "2025-Q4").json(), "received")["total"] == 2
    national = get_report(central_supervisor, "2025-Q4").json()
    assert national["scope"]["province"] is None
    assert counts(national, "received", "province") == {"n-lao-cai": 2, "n-quang-tri": 1}


@pytest.mark.parametrize(
    "username", ["demo-police", "demo-hotline", "demo-admin", "lc-steering_committee-caseworker"]
)
def test_only_supervisors_may_see_the_statistics(api, cast, username):
    get_report(api(cast.named(username)), "2025-Q4", expect=403, error="forbidden")


def test_an_agency_head_sees_only_their_units_cases(story, api, cast):
    head = cast.named("lc-police-supervisor")
    assert head.role == Role.SUPERVISOR
    report = get_report(api(head), "2025").json()
    assert figure(report, "received")["total"] == 2  # not the Yên Bái Police's case


@pytest.mark.parametrize(
    ("params", "error", "detail"),
    [
        ({"period": "2025-Q5"}, "invalid_period", "2025-Q3"),
        ({"period": "2025", "format": "docx"}, "invalid", "format"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(supervisor, params, error, detail):
    body = refused(supervisor.get("/api/v1/reports/periodic/", params), 400, error)
    assert detail in body["detail"]


def test_a_missing_period_is_a_400(supervisor):
    body = refused(supervisor.get("/api/v1/reports/periodic/"), 400, "invalid")
    assert "period" in body["detail"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(period=st.text(max_size=20), file_format=st.sampled_from(["json", "csv", "xlsx", "", "x"]))
def test_any_query_gives_a_report_or_a_400_never_a_500(supervisor, period, file_format):
    response = supervisor.get(
        "/api/v1/reports/periodic/", {"period": period, "format": file_format}
    )
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["error"] in {"invalid_period", "invalid"}, response.json()


def test_the_report_costs_a_handful_of_grouped_queries(
    story, supervisor, django_assert_max_num_queries
):
    """One query per kind of record for both periods, not one per figure and period (issue
    15: 37 queries, each re-running the visibility query): the count does not grow with the
    figures. (41: the province's submission deadline, rulebook data, is one of them.)"""
    get_report(supervisor, "2025-Q4")  # warm: session, translations
    with django_assert_max_num_queries(41):
        assert figure(get_report(supervisor, "2025").json(), "received")["total"] == 3


def test_the_reports_queries_do_not_grow_with_the_cases(story, api, cast):
    """The yearly report in a handful of grouped queries (at most 21 with the transaction that
    turns PostgreSQL's JIT off), the same number whatever the cases, their victims, their
    provinces and their records: no query per case, figure or source row (issues 11, 15)."""

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            report = periodic_report(cast.supervisor, "2025")
        return len(captured), figure(report, "received")["total"]

    queries()  # warm: cached rulebook data
    before, received = queries()
    assert before <= 21
    police = api(cast.police)
    for n, (sex, age, purpose, country) in enumerate(
        [
            ("male", 12, "forced_labour", "KH"),
            ("female", 40, "sexual_exploitation", ""),
            ("male", 25, "forced_crime", "MM"),
        ]
    ):
        case = open_case(police, intake(f"2025-0{n + 4}-0{n + 1}", sex, age, [purpose], country))
        screen_and_verify(police, case["id"], "signs_of_trafficking")
        backdate(case["id"], f"2025-0{n + 4}-1{n + 1}")
    after, received_after = queries()
    assert received_after == received + 3
    assert after == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_postgresql_connections_run_without_jit(db):
    """The report's aggregates spend most of their time compiling under JIT (issue 15);
    config/settings.py turns it off for every connection unless DATABASE_JIT=on."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
