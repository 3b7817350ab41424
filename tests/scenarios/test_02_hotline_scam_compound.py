"""Story 02: a mother calls 111 about her son held in a scam compound in Cambodia."""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province
from tests.cast import act, move, read, record, refer, send

pytestmark = pytest.mark.django_db

CALL = {
    "channel": "hotline",
    "received_at": "2025-11-03T22:10:00+07:00",
    "narrative": "Con trai bị giữ ở Sihanoukville, bị đánh, chủ đòi 8.000 USD.",
    "purposes": ["forced_labour", "forced_crime"],
    "destination_country": "KH",
    "is_abroad": True,
    "victim": {
        "full_name": "Nguyễn Văn Nam",
        "stated_age": 24,
        "birth_year": 2001,
        "sex": "male",
        "phone": "0912 345 678",
    },
    "reporter": {"full_name": "Trần Thị Hoa", "phone": "0987 654 321", "relationship": "mother"},
}


@pytest.fixture
def moc_bai_border_guard(api, cast):
    unit = Unit.objects.create(
        code="tn-border_guard-moc-bai",
        name="Đồn Biên phòng Mộc Bài",
        kind=AgencyKind.BORDER_GUARD,
        level=UnitLevel.PROVINCE,
        province=Province.objects.get(code="n-tay-ninh"),
    )
    create_user(username="moc-bai", password="x-Test-pass-42", role=Role.CASEWORKER, unit=unit)
    return api(cast.named("moc-bai"))


def test_story_02(api, cast, moc_bai_border_guard):
    hotline, police, foreign = api(cast.hotline), api(cast.police), api(cast.foreign)
    social = api(cast.social)
    border = moc_bai_border_guard

    # The operator creates the intake; reporter and victim are different people.
    created = send(hotline, "intakes/", CALL)
    case_id = created["case"]["id"]
    people = read(hotline, f"cases/{case_id}/")["people"]
    assert sorted(p["role"] for p in people) == ["reporter", "victim"]

    # 1. Screening → likely victim; forced labour (forced crime), Cambodia.
    screened = record(
        hotline,
        case_id,
        "screenings",
        {
            "indicators": [
                "retention_of_documents",
                "restriction_of_movement",
                "physical_sexual_violence",
                "debt_bondage",
                "deception",
            ],
            "purposes": ["forced_labour", "forced_crime"],
        },
    )
    assert screened["screenings"][0]["recommendation"] == "likely_victim"
    assert screened["destination_country"] == "KH"
    move(hotline, case_id, "start_verification")

    # 2. Referrals to the provincial Police and to Foreign Affairs with the mother's consent.
    for kind in ("police", "foreign_affairs"):
        record(
            hotline,
            case_id,
            "consents",
            {
                "recipient_kind": kind,
                "purpose": "rescue",
                "status": "given",
                "given_by": "reporter",
            },
        )
    # Both handed over at the end of the call; the hotline keeps no case once both accept.
    to_police = refer(hotline, case_id, "lc-police", "investigation")
    to_foreign = refer(hotline, case_id, "mofa-consular", "rescue")
    act(police, to_police, "accept")
    act(foreign, to_foreign, "accept")

    # 3. Foreign Affairs requests rescue from the host country; the case enters rescue.
    record(
        foreign,
        case_id,
        "rescues",
        {"partner_authority": "Cambodian National Police", "country": "KH"},
    )
    assert move(foreign, case_id, "start_rescue")["state"] == "rescue"
    rescued = send(
        foreign, f"cases/{case_id}/rescue-done/", {"rescued_at": "2025-11-20T10:00:00+07:00"}
    )
    assert rescued["rescues"][0]["partner_authority"] == "Cambodian National Police"
    assert rescued["rescues"][0]["rescued_at"]

    # 4. Repatriation through Mộc Bài; certificate of return on reception; identified.
    record(
        foreign,
        case_id,
        "consents",
        {"recipient_kind": "border_guard", "purpose": "repatriation", "status": "given"},
    )
    act(border, refer(foreign, case_id, "tn-border_guard-moc-bai", "repatriation"), "accept")
    record(
        border,
        case_id,
        "protections",
        {"kind": "handover_at_border", "details": "Cửa khẩu Mộc Bài"},
    )
    move(border, case_id, "start_identification")
    identified = record(
        border,
        case_id,
        "identifications",
        {"is_victim": True, "document_type": "certificate_of_return", "document_number": "MB-1103"},
    )
    assert identified["identifications"][0]["is_victim"] is True
    move(border, case_id, "start_protection")

    # 5. Support; he declines the loan, and the refusal is recorded.
    record(
        border,
        case_id,
        "consents",
        {"recipient_kind": "health_department", "purpose": "support", "status": "given"},
    )
    act(social, refer(border, case_id, "lc-health_department", "travel_costs"), "accept")
    for kind in ("travel_costs", "medical", "psychological", "vocational_training"):
        record(social, case_id, "services", {"kind": kind})
    record(
        social,
        case_id,
        "services",
        {
            "kind": "hardship_allowance_and_loan",
            "amount": "3000000",
            "currency": "VND",
            "note": "initial hardship allowance",
        },
    )
    detail = record(
        social, case_id, "services", {"kind": "hardship_allowance_and_loan", "note": "loan"}
    )
    loan = next(
        s
        for s in detail["services"]
        if s["kind"] == "hardship_allowance_and_loan" and s["amount"] is None
    )
    declined = send(
        social, f"cases/{case_id}/services/{loan['id']}/", {"status": "declined"}, expect=200
    )
    loan = next(s for s in declined["services"] if s["id"] == loan["id"])
    assert loan["status"] == "declined" and loan["declined_at"]

    # 6. A second call two days later from the mother's phone: flagged, then linked.
    second = {
        **CALL,
        "received_at": "2025-11-05T20:00:00+07:00",
        "victim": {"full_name": "Nguyen Van Nam", "birth_year": 2001},
        "reporter": {"full_name": "Trần Thị Hoa", "phone": "+84987654321"},
    }
    flagged = send(hotline, "intakes/duplicates/", second, expect=200)
    assert [d["id"] for d in flagged["possible_duplicates"]] == [case_id]
    linked = send(hotline, "intakes/", {**second, "link_to_case": case_id})
    assert linked["created_case"] is False and linked["case"]["id"] == case_id
    assert read(hotline, "cases/")["count"] == 1
