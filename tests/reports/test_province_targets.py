"""Phú Thọ's own targets (its plan for Project 2, I.2, Chỉ tiêu 3–5), against a hand-counted
fixture: the prosecution rate must rise at least 2 points a year; 95% of the cases the
Procuracy and the Court accepted prosecuted and tried. Dates are Vietnam time.

Tips received in Phú Thọ, and whether a criminal case was opened by the end of the year:
  2025: 01/02 opened (Q1), 01/03 not (Q1), 01/06 not, 20/12 opened only on 05/01/2026
        → 1 of 4 = 25%; 2025-Q1: 1 of 2 = 50%
  2026: 10/01 opened (Q1), 10/02 not (Q1), 01/05 opened, 01/08 not, 25/11 unresolved
        → 2 of 5 = 40%, up 15 points: met; 2026-Q1: 1 of 2 = 50%, up 0 points: not met
Criminal cases of 2026 before the Procuracy: 3, indicted 2 (66.7%); before the Court: 2,
tried 1 (50%). A Lào Cai tip opened in 2026 counts for neither.
"""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province
from reports.proceedings import proceedings_targets
from rulebooks.periods import parse_period

from .test_proceedings_figures import case, tip

pytestmark = pytest.mark.django_db
PERIODIC = "/api/v1/reports/periodic/"
PHU_THO_KEYS = ["phu_tho_prosecution_rate_rises", "phu_tho_prosecuted", "phu_tho_tried"]


@pytest.fixture
def phu_tho(db):
    def unit(code, kind, province="n-phu-tho"):
        return Unit.objects.create(
            code=code,
            name=code,
            kind=kind,
            level=UnitLevel.PROVINCE,
            province=Province.objects.get(code=province),
        )

    units = {
        "pt": unit("pt-police", AgencyKind.POLICE),
        "vks": unit("pt-procuracy", AgencyKind.PROCURACY),
        "toa": unit("pt-court", AgencyKind.COURT),
        "bcd": unit("pt-steering_committee", AgencyKind.STEERING_COMMITTEE),
        "lc": unit("lc-police", AgencyKind.POLICE, "n-lao-cai"),
        "lc-bcd": unit("lc-steering_committee", AgencyKind.STEERING_COMMITTEE, "n-lao-cai"),
    }
    officer = create_user(
        username="pt-officer", password="x-Test-pass-42", role=Role.CASEWORKER, unit=units["pt"]
    )
    supervisor = create_user(
        username="pt-bcd", password="x-Test-pass-42", role=Role.SUPERVISOR, unit=units["bcd"]
    )
    org = (units, officer, supervisor)
    for received, resolved, outcome in [
        ("2025-02-01", "2025-02-20", "case_opened"),
        ("2025-03-01", "2025-03-15", "not_opened"),
        ("2025-06-01", "2025-06-10", "not_opened"),
        ("2025-12-20", "2026-01-05", "case_opened"),
        ("2026-01-10", "2026-02-01", "case_opened"),
        ("2026-02-10", "2026-03-01", "not_opened"),
        ("2026-05-01", "2026-05-20", "case_opened"),
        ("2026-08-01", "2026-08-10", "not_opened"),
        ("2026-11-25", None, ""),
    ]:
        tip(org, "pt", received, resolved=resolved, outcome=outcome)
    tip(org, "lc", "2026-03-01", resolved="2026-03-05", outcome="case_opened")
    case(
        org,
        "pt",
        "2025-11-01",
        investigation_concluded_at="2026-01-15",
        indicted_at="2026-02-10",
        tried_at="2026-05-01",
    )
    case(org, "pt", "2026-01-20", investigation_concluded_at="2026-03-01", indicted_at="2026-04-01")
    case(org, "pt", "2026-02-01", investigation_concluded_at="2026-06-01")
    lao_cai = create_user(
        username="lc-bcd", password="x-Test-pass-42", role=Role.SUPERVISOR, unit=units["lc-bcd"]
    )
    return supervisor, lao_cai


def _targets(user, period: str) -> dict:
    return {t["key"]: t for t in proceedings_targets(user, parse_period(period))}


def _summary(row: dict) -> tuple:
    return (row["numerator"], row["denominator"], row["achieved_percent"], row["status"])


def test_the_prosecution_rate_rose_15_points_over_the_year_before(phu_tho):
    rise = _targets(phu_tho[0], "2026")["phu_tho_prosecution_rate_rises"]
    assert _summary(rise) == (2, 5, 40.0, "met")
    assert rise["previous"]["period"] == "2025"
    assert _summary(rise["previous"]) == (1, 4, 25.0, "no_baseline")
    assert (rise["target_percent"], rise["comparison"]) == (2, "rises_by_at_least")
    assert rise["citation"].endswith("(Chỉ tiêu 3)") and "Phú Thọ" in rise["citation"]
    assert "tăng ít nhất 2%" in rise["quote"]


def test_a_quarter_is_set_beside_the_same_quarter_a_year_before(phu_tho):
    rise = _targets(phu_tho[0], "2026-Q1")["phu_tho_prosecution_rate_rises"]
    assert _summary(rise) == (1, 2, 50.0, "not_met")
    assert rise["previous"]["period"] == "2025-Q1"
    assert _summary(rise["previous"]) == (1, 2, 50.0, "no_baseline")


def test_95_percent_prosecuted_and_tried_of_what_the_procuracy_and_court_accepted(phu_tho):
    targets = _targets(phu_tho[0], "2026")
    assert _summary(targets["phu_tho_prosecuted"]) == (2, 3, 66.7, "not_met")
    assert _summary(targets["phu_tho_tried"]) == (1, 2, 50.0, "not_met")
    assert targets["phu_tho_tried"]["target_percent"] == 95
    assert targets["tried"]["target_percent"] == 90  # the national target stays beside it
    assert targets["phu_tho_prosecuted"]["previous"]["status"] == "no_reports"


def test_only_phu_tho_reports_carry_phu_tho_targets(phu_tho, api):
    lao_cai = _targets(phu_tho[1], "2026")
    assert not set(PHU_THO_KEYS) & set(lao_cai)
    assert lao_cai["received_and_processed"]["denominator"] == 1
    report = api(phu_tho[0]).get(PERIODIC, {"period": "2026"}).json()
    keys = [t["key"] for t in report["targets"]]
    assert keys[-3:] == PHU_THO_KEYS and len(keys) == 8
