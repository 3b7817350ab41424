"""Story 03: a report that turns out not to be trafficking (Đồng Nai, law-2024)."""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province
from tests.cast import act, move, read, record, refer, send

from .conftest import raw_database_text

pytestmark = pytest.mark.django_db

NAME = "Đỗ Thị Hạnh"


@pytest.fixture
def dong_nai(api, cast):
    province = Province.objects.get(code="n-dong-nai")
    for code, level in (
        ("dn-police-commune-post", UnitLevel.COMMUNE),
        ("dn-police", UnitLevel.PROVINCE),
    ):
        unit = Unit.objects.create(
            code=code, name=code, kind=AgencyKind.POLICE, level=level, province=province
        )
        create_user(username=code, password="x-Test-pass-42", role=Role.CASEWORKER, unit=unit)
    return api(cast.named("dn-police-commune-post")), api(cast.named("dn-police"))


def test_story_03(api, cast, dong_nai):
    post, provincial = dong_nai
    case_id = send(
        post,
        "intakes/",
        {
            "channel": "police_report",
            "received_at": "2025-10-02T10:00:00+07:00",
            "narrative": "Hàng xóm báo cô gái 19 tuổi đi ba tuần, nghi bị bán sang Trung Quốc.",
            "victim": {"full_name": NAME, "stated_age": 19, "sex": "female"},
            "reporter": {"full_name": "Hàng xóm", "phone": "0909000111"},
        },
    )["case"]["id"]
    record(post, case_id, "screenings", {"indicators": [], "purposes": ["sexual_exploitation"]})
    move(post, case_id, "start_verification")
    referral = refer(
        post,
        case_id,
        "dn-police",
        "verification",
        legal_basis="Criminal Procedure Code 2015 Art. 145 (verifying reports)",
    )
    act(provincial, referral, "accept")

    # 1. intake → verification → closed "not a victim", with the finding; no services.
    record(
        provincial,
        case_id,
        "verifications",
        {
            "outcome": "not_trafficking",
            "finding": "Tự nguyện lên Bình Dương làm công nhân, liên lạc được, giữ giấy tờ.",
        },
    )
    closed = move(provincial, case_id, "close", closure_reason="not_a_victim")
    assert closed["state"] == "closed" and closed["closure_reason"] == "not_a_victim"
    act(provincial, referral, "complete")
    detail = read(provincial, f"cases/{case_id}/")
    assert detail["services"] == [] and detail["identifications"] == []
    path = [
        (e["source"], e["target"])
        for e in read(provincial, f"cases/{case_id}/timeline/")["events"]
        if e["kind"] == "transition"
    ]
    assert path == [("intake", "verification"), ("verification", "closed")]

    # 3. Encrypted, and visible only to the units that held the case.
    assert NAME not in raw_database_text()
    assert read(post, f"cases/{case_id}/")["number"] == closed["number"]
    for outsider in ("demo-police", "demo-social", "demo-hotline"):
        read(api(cast.named(outsider)), f"cases/{case_id}/", expect=404, error="not_found")
