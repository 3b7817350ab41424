"""Cases with known facts for the periodic report, opened and moved on through the API.

The system stamps transitions, findings and services with the time they are recorded, so
`backdate` moves a case's records to the day the story says they happened.
"""

from datetime import datetime

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from cases.models import Case, StateChange, SupportService, Verification
from places.models import VIETNAM_TZ, Province
from tests.cast import move, open_case, record, refused, send

PERIODIC = "/api/v1/reports/periodic/"


def vn(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=VIETNAM_TZ)


def intake(received: str, sex: str, age: int, purposes: list[str], country: str = "") -> dict:
    return {
        "channel": "police_report",
        "received_at": vn(received).isoformat(),
        "purposes": purposes,
        "destination_country": country,
        "narrative": "Dữ liệu thử.",
        "victim": {"full_name": f"Nạn nhân thử {received}", "stated_age": age, "sex": sex},
    }


def backdate(case_id: str, day: str) -> None:
    """Every transition, finding and provided service of the case happened on `day`."""
    case = Case.objects.get(uuid=case_id)
    when = vn(day)
    StateChange.objects.filter(case=case).update(at=when)
    Verification.objects.filter(case=case).update(recorded_at=when)
    SupportService.objects.filter(case=case).update(requested_at=when)
    SupportService.objects.filter(case=case, provided_at__isnull=False).update(provided_at=when)


def screen_and_verify(client, case_id: str, outcome: str) -> None:
    record(client, case_id, "screenings", {"indicators": ["deception"], "purposes": []})
    move(client, case_id, "start_verification")
    record(client, case_id, "verifications", {"outcome": outcome})


@pytest.fixture
def yen_bai_caseworker(demo_org):
    """A Police caseworker in Yên Bái, which merged into Lào Cai on 2025-07-01."""
    unit = Unit.objects.create(
        code="yb-police",
        name="Công an tỉnh Yên Bái",
        kind=AgencyKind.POLICE,
        level=UnitLevel.PROVINCE,
        province=Province.objects.get(code="15"),
    )
    return create_user(
        username="yb-police", password="x-Test-pass-42", role=Role.CASEWORKER, unit=unit
    )


@pytest.fixture
def story(api, cast, yen_bai_caseworker) -> dict:
    """Three cases under the Lào Cai Steering Committee and one in Quảng Trị.

    * identified: received 2025-10-05 in Lào Cai, a 16-year-old girl, forced marriage to China;
      verified, identified (2025-10-20), rescued (2025-10-10), given medical care, all in Q4.
    * not_a_victim (scenario 03): received 2025-10-02, a 19-year-old woman; verification finds no
      trafficking and the case is closed "not a victim" in Q4.
    * yen_bai: received 2025-03-10 in Yên Bái, a man of 30, forced labour in Malaysia; verification
      started in March.
    * quang_tri: received 2025-11-01 in Quảng Trị, outside Lào Cai's view.
    """
    police = api(cast.police)
    cases = {}

    case = open_case(police, intake("2025-10-05", "female", 16, ["forced_marriage"], "CN"))
    cases["identified"] = case["id"]
    screen_and_verify(police, case["id"], "signs_of_trafficking")
    move(police, case["id"], "start_identification")
    record(
        police,
        case["id"],
        "identifications",
        {
            "is_victim": True,
            "document_type": "police_confirmation",
            "document_number": "XN-01/2025",
            "decided_at": vn("2025-10-20").isoformat(),
        },
    )
    record(police, case["id"], "rescues", {"partner_authority": "Công an Vân Nam", "country": "CN"})
    record(police, case["id"], "rescue-done", {"rescued_at": vn("2025-10-10").isoformat()})
    service = record(police, case["id"], "services", {"kind": "medical"})["services"][0]
    send(police, f"cases/{case['id']}/services/{service['id']}/", {"status": "provided"}, 200)
    backdate(case["id"], "2025-10-25")

    case = open_case(police, intake("2025-10-02", "female", 19, ["sexual_exploitation"]))
    cases["not_a_victim"] = case["id"]
    screen_and_verify(police, case["id"], "not_trafficking")
    move(police, case["id"], "close", closure_reason="not_a_victim")
    backdate(case["id"], "2025-10-20")

    yen_bai = api(yen_bai_caseworker)
    case = open_case(yen_bai, intake("2025-03-10", "male", 30, ["forced_labour"], "MY"))
    cases["yen_bai"] = case["id"]
    record(yen_bai, case["id"], "screenings", {"indicators": ["debt_bondage"], "purposes": []})
    move(yen_bai, case["id"], "start_verification")
    backdate(case["id"], "2025-03-20")

    quang_tri = api(cast.named("qt-border_guard-caseworker"))
    cases["quang_tri"] = open_case(quang_tri, intake("2025-11-01", "male", 40, ["forced_labour"]))[
        "id"
    ]
    return cases


@pytest.fixture
def supervisor(api, cast):
    return api(cast.supervisor)


@pytest.fixture
def central_supervisor(api, cast):
    return api(cast.national_supervisor)


def get_report(client, period: str, expect: int = 200, error: str | None = None, **params):
    """The report's response; a refusal (4xx) must name its error code."""
    response = client.get(PERIODIC, {"period": period, **params})
    if expect >= 400:
        assert error, "name the error code of a refusal"
        refused(response, expect, error)
    assert response.status_code == expect, response.content[:500]
    return response


def figure(report: dict, key: str) -> dict:
    return next(f for f in report["figures"] if f["key"] == key)


def counts(report: dict, key: str, dimension: str) -> dict[str, int]:
    """The non-zero counts of one figure's breakdown, by code."""
    breakdown = next(b for b in figure(report, key)["breakdowns"] if b["dimension"] == dimension)
    return {v["code"]: v["count"] for v in breakdown["values"] if v["count"]}


def target(report: dict, key: str) -> dict:
    return next(t for t in report["targets"] if t["key"] == key)
