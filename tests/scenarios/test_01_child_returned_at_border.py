"""Story 01: a girl handed over at the Lào Cai border gate (law-2024, presumed minor)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils.dateparse import parse_datetime

from tests.cast import act, move, read, record, refer, send

from .conftest import raw_database_text

pytestmark = pytest.mark.django_db

NAME, PHONE, ADDRESS = "Giàng Thị Mỷ", "0968 123 456", "Thôn Na Hối, xã Bắc Hà"
INTAKE = {
    "channel": "border_handover",
    "received_at": "2025-09-14T09:30:00+07:00",
    "narrative": "Bàn giao tại cửa khẩu Kim Thành kèm biên bản của công an Trung Quốc.",
    "purposes": ["forced_marriage"],
    "destination_country": "CN",
    "victim": {
        "full_name": NAME,
        "stated_age": 16,
        "birth_year": 2009,
        "sex": "female",
        "language": "Hmong",
        "interpreter_needed": True,
    },
    "relatives": [
        {"full_name": "Giàng A Páo", "relationship": "father", "address": ADDRESS, "phone": PHONE}
    ],
}


def test_story_01(api, cast):
    border, police = api(cast.border_guard), api(cast.police)
    social, justice = api(cast.social), api(cast.justice)

    # 1. Presumed minor from the first minute.
    case = send(border, "intakes/", INTAKE)["case"]
    case_id = case["id"]
    assert case["presumed_minor"] is True and case["rulebook"] == "law-2024"

    # 2. Screening recommends "likely victim".
    screened = record(
        border,
        case_id,
        "screenings",
        {"indicators": ["deception", "restriction_of_movement", "abuse_of_vulnerability"]},
    )
    assert screened["screenings"][0]["recommendation"] == "likely_victim"
    move(border, case_id, "start_verification")

    # 3. Handoffs to provincial Police and social protection, deadlines from law-2024.
    to_police = refer(
        border,
        case_id,
        "lc-police",
        "verification",
        legal_basis="Law 53/2024/QH15 Art. 27(2): verification with police",
    )
    record(
        border,
        case_id,
        "consents",
        {
            "recipient_kind": "health_department",
            "purpose": "reception",
            "status": "given",
            "given_by": "guardian",
        },
    )
    to_social = refer(border, case_id, "lc-health_department", "reception")
    for referral in (to_police, to_social):
        assert "53/2024" in referral["citation"]
        sent, due = parse_datetime(referral["sent_at"]), parse_datetime(referral["due_at"])
        assert due - sent == timedelta(days=3)
    act(police, to_police, "accept")
    act(social, to_social, "accept")

    # 4. Police record the certificate of return and identify her; no rescue.
    record(police, case_id, "verifications", {"outcome": "signs_of_trafficking"})
    move(police, case_id, "start_identification")
    record(
        police,
        case_id,
        "identifications",
        {
            "is_victim": True,
            "document_type": "certificate_of_return",
            "document_number": "GXN-25-0917",
        },
    )
    assert "start_rescue" in [
        t["name"] for t in read(police, f"cases/{case_id}/transitions/")["transitions"]
    ]

    # 5. Shelter with the 120-day limit; relatives' address protected.
    detail = record(
        social,
        case_id,
        "protections",
        {"kind": "shelter", "details": "Trung tâm CTXH tỉnh Lào Cai"},
    )
    shelter = detail["protections"][0]
    limit = parse_datetime(shelter["ends_at"]) - parse_datetime(shelter["starts_at"])
    assert limit == timedelta(days=120) and "162/2025" in shelter["limit_citation"]
    move(police, case_id, "start_protection")

    # 6. Support records and legal aid referred to Justice, free.
    for kind in ("essential_needs", "medical", "interpretation", "psychological", "schooling"):
        record(social, case_id, "services", {"kind": kind})
    move(social, case_id, "start_support")
    record(
        social,
        case_id,
        "consents",
        {
            "recipient_kind": "justice_legal_aid",
            "purpose": "legal_aid",
            "status": "given",
            "given_by": "guardian",
        },
    )
    legal_aid = refer(social, case_id, "lc-justice_legal_aid", "legal_aid")
    act(justice, legal_aid, "accept")
    seen_by_justice = read(justice, f"cases/{case_id}/")
    relatives = [p for p in seen_by_justice["people"] if p["role"] == "relative"]
    assert relatives and "address" not in relatives[0] and "phone" not in relatives[0]
    detail = record(
        justice,
        case_id,
        "services",
        {"kind": "legal_aid", "amount": "0", "currency": "VND", "note": "free"},
    )
    # Legal aid sees the support given, but not the medical and psychological records.
    assert {s["kind"] for s in detail["services"]} == {
        "essential_needs",
        "interpretation",
        "schooling",
        "legal_aid",
    }
    assert {s["kind"] for s in read(social, f"cases/{case_id}/")["services"]} >= {
        "medical",
        "psychological",
    }

    # 7. Escorted to her parents (child rule), closed as reintegrated.
    record(social, case_id, "protections", {"kind": "escort_to_relatives"})
    closed = move(social, case_id, "close", closure_reason="reintegrated")
    assert closed["state"] == "closed"

    # 8. No plaintext in the database or the log.
    stored = raw_database_text()
    log = (settings.DATA_DIR / "loive.log").read_text(errors="replace")
    for secret in (NAME, "Giàng A Páo", ADDRESS, PHONE, "968123456", "GXN-25-0917"):
        assert secret not in stored and secret not in log, secret

    # 9. The timeline shows every step with unit, user, time, deadline and whether it was met.
    events = read(border, f"cases/{case_id}/timeline/")["events"]
    kinds = {e["kind"] for e in events}
    assert {
        "intake",
        "screening",
        "transition",
        "identification",
        "protection",
        "service",
        "referral_sent",
        "referral_accepted",
    } <= kinds
    for event in events:
        assert event["at"] and "unit" in event and "user" in event
    with_deadline = [e for e in events if e.get("due_at")]
    assert with_deadline and all("met" in e and e.get("citation") for e in with_deadline)
