"""The criminal track's figures and the plan's targets, against a hand-counted fixture.

Lào Cai (with Yên Bái, merged into it on 2025-07-01) and, out of scope, Quảng Trị. Tips and
criminal cases cross the boundary between 2025-Q4 and 2026-Q1. Dates are Vietnam time.
"""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import VIETNAM_TZ, Province
from proceedings.models import CriminalCase, Offender, Route, Tip
from reports.proceedings import previous_period, proceedings_figures, proceedings_targets
from rulebooks.periods import Period, parse_period
from security.services import create_data_key

pytestmark = pytest.mark.django_db
PERIODIC = "/api/v1/reports/periodic/"


def vn(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=VIETNAM_TZ)


@pytest.fixture
def org(db):
    def unit(code, kind, province):
        return Unit.objects.create(
            code=code,
            name=code,
            kind=kind,
            level=UnitLevel.PROVINCE,
            province=Province.objects.get(code=province),
        )

    units = {
        "lc": unit("lc-police", AgencyKind.POLICE, "n-lao-cai"),
        "yb": unit("yb-police", AgencyKind.POLICE, "15"),
        "qt": unit("qt-police", AgencyKind.POLICE, "n-quang-tri"),
        "vks": unit("lc-procuracy", AgencyKind.PROCURACY, "n-lao-cai"),
        "toa": unit("lc-court", AgencyKind.COURT, "n-lao-cai"),
        "bcd": unit("lc-steering_committee", AgencyKind.STEERING_COMMITTEE, "n-lao-cai"),
    }
    officer = create_user(
        username="officer", password="x-Test-pass-42", role=Role.CASEWORKER, unit=units["lc"]
    )
    supervisor = create_user(
        username="bcd", password="x-Test-pass-42", role=Role.SUPERVISOR, unit=units["bcd"]
    )
    return units, officer, supervisor


def tip(org, unit, received, resolved=None, verifying=None, outcome="not_opened") -> Tip:
    units, officer, _ = org
    at = vn(received)
    row = Tip(
        data_key=create_data_key(),
        kind="report",
        reported_at=at,
        recorded_by_unit=units[unit],
        unit=units[unit],
        state="resolved" if resolved else ("verifying" if verifying else "received"),
        received_at=at,
        offence="art150",
        verification_started_at=vn(verifying) if verifying else None,
        due_at=at + timedelta(days=20),
        resolved_at=vn(resolved) if resolved else None,
        outcome=outcome if resolved else "",
        created_by=officer,
    )
    row.save()
    return row


def case(org, unit, opened, tip=None, **dates) -> CriminalCase:
    units, officer, _ = org
    row = CriminalCase(
        data_key=create_data_key(),
        tip=tip,
        offence="art150",
        opened_at=vn(opened),
        investigating_unit=units[unit],
        procuracy_unit=units["vks"],
        court_unit=units["toa"] if dates.get("indicted_at") else None,
        created_by=officer,
        **{key: vn(day) for key, day in dates.items()},
    )
    row.save()
    return row


def offender(org, cc, role, indicted=False, verdict="") -> None:
    Offender(
        criminal_case=cc,
        data_key=create_data_key(),
        role=role,
        indicted=indicted,
        verdict=verdict,
        sentence_months=60 if verdict == "convicted" else None,
        recorded_by=org[1],
    ).save()


@pytest.fixture
def story(org):
    t1 = tip(
        org,
        "lc",
        "2025-12-20",
        resolved="2026-01-05",
        verifying="2025-12-22",
        outcome="case_opened",
    )
    tip(org, "lc", "2026-01-10", resolved="2026-02-15")  # late: due 30/1
    t3 = tip(org, "yb", "2026-02-01", resolved="2026-02-10", outcome="case_opened")
    tip(org, "lc", "2026-03-20", verifying="2026-03-21")  # due 9/4
    tip(org, "lc", "2026-03-01")  # due 21/3, unresolved: overdue at the end of Q1
    tip(org, "qt", "2026-02-01", resolved="2026-02-05")  # another province
    tip(org, "lc", "2025-11-01", resolved="2025-11-10")
    c1 = case(
        org,
        "lc",
        "2026-01-05",
        t1,
        investigation_concluded_at="2026-03-10",
        indicted_at="2026-04-05",
    )
    offender(org, c1, "recruiter", indicted=True)
    offender(org, c1, "transporter", indicted=True)
    Route.objects.create(
        criminal_case=c1,
        destination_country="CN",
        sector="forced_marriage",
        origin_province_id="n-lao-cai",
    )
    c2 = case(org, "yb", "2026-02-10", t3)
    Route.objects.create(
        criminal_case=c2, destination_country="CN", sector="sex_industry", origin_province_id="15"
    )
    c3 = case(
        org,
        "lc",
        "2025-10-01",
        investigation_concluded_at="2025-12-01",
        indicted_at="2026-01-20",
        tried_at="2026-03-15",
    )
    offender(org, c3, "organiser", indicted=True, verdict="convicted")
    offender(org, c3, "exploiter", indicted=True, verdict="acquitted")
    case(org, "lc", "2025-11-15", discontinued_at="2025-12-20")
    case(org, "qt", "2026-02-01")
    return org


def _figures(user, period):
    return {f["key"]: f for f in proceedings_figures(user, parse_period(period))}


def _targets(user, period):
    return {t["key"]: t for t in proceedings_targets(user, parse_period(period))}


def test_the_previous_period_is_the_one_of_the_same_length_before():
    assert previous_period(Period(2026, "Q1")).code == "2025-Q4"
    assert previous_period(Period(2026, "Q3")).code == "2026-Q2"
    assert previous_period(Period(2026, "H1")).code == "2025-H2"
    assert previous_period(Period(2026, "")).code == "2025"


def test_each_figure_of_the_quarter_and_the_previous_one(story):
    figures = _figures(story[2], "2026-Q1")
    counted = {key: (f["total"], f["previous"]) for key, f in figures.items()}
    assert counted == {
        "tips_received": (4, 2),
        "tips_resolved": (3, 1),
        "tips_resolved_on_time": (2, 1),
        "tips_overdue": (1, 0),
        "criminal_cases_opened": (2, 2),
        "criminal_cases_investigated": (1, 1),
        "criminal_cases_prosecuted": (1, 0),
        "criminal_cases_tried": (1, 0),
        "offenders_prosecuted": (2, 0),
        "offenders_convicted": (1, 0),
    }


def test_routes_and_roles_are_counted_with_yen_bai_under_lao_cai(story):
    figures = _figures(story[2], "2026-Q1")
    routes = {
        b["dimension"]: {v["code"]: v["count"] for v in b["values"]}
        for b in figures["criminal_cases_opened"]["breakdowns"]
    }
    assert routes == {
        "destination_country": {"CN": 2},
        "sector": {"forced_marriage": 1, "sex_industry": 1},
        "origin_province": {"n-lao-cai": 2},
    }
    roles = figures["offenders_convicted"]["breakdowns"][0]["values"]
    assert [(v["code"], v["count"]) for v in roles] == [("organiser", 1)]


def test_each_target_with_its_rate_and_the_previous_period(story):
    targets = _targets(story[2], "2026-Q1")
    rates = {
        key: (
            t["numerator"],
            t["denominator"],
            t["status"],
            t["previous"]["numerator"],
            t["previous"]["denominator"],
        )
        for key, t in targets.items()
    }
    assert rates == {
        "received_and_processed": (3, 4, "not_met", 2, 2),
        "resolved": (3, 5, "not_met", 1, 2),
        "investigated": (1, 2, "not_met", 1, 2),
        "prosecuted": (1, 2, "not_met", 0, 1),
        "tried": (1, 1, "met", 0, 0),
    }
    assert targets["resolved"]["achieved_percent"] == 60.0
    assert targets["tried"]["previous"]["status"] == "no_reports"
    assert (
        targets["received_and_processed"]["previous"] | {"period": "2025-Q4"}
        == targets["received_and_processed"]["previous"]
    )


def test_the_year_against_the_year_before(story):
    figures = _figures(story[2], "2026")
    assert (figures["tips_received"]["total"], figures["tips_received"]["previous"]) == (4, 2)
    assert figures["criminal_cases_prosecuted"]["total"] == 2
    assert figures["offenders_prosecuted"]["total"] == 4


def test_in_the_periodic_report_through_the_api(story, api):
    report = api(story[2]).get(PERIODIC, {"period": "2026-Q1"}).json()
    by_key = {f["key"]: f for f in report["figures"]}
    assert by_key["tips_received"]["total"] == 4 and by_key["received"]["previous"] == 0
    assert report["previous_period"] == "2025-Q4"
    assert {t["key"]: t["numerator"] for t in report["targets"]}["tried"] == 1


def test_counted_in_the_database_whatever_the_number_of_rows(story):
    user, period = story[2], parse_period("2026-Q1")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            proceedings_figures(user, period)
            proceedings_targets(user, period)
        return len(captured)

    before = queries()
    for n in range(5):
        t = tip(
            story,
            "lc",
            f"2026-02-{n + 2:02d}",
            resolved=f"2026-02-{n + 10:02d}",
            outcome="case_opened",
        )
        cc = case(story, "lc", f"2026-02-{n + 10:02d}", t)
        offender(story, cc, "recruiter")
        Route.objects.create(
            criminal_case=cc, destination_country="KH", origin_province_id="n-lao-cai"
        )
    assert queries() == before
    assert _figures(user, "2026-Q1")["tips_received"]["total"] == 9
