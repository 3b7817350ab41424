"""A plaintext hunt: no seeded identity or free text about a case in a pg_dump or the log.

Two seedings: the demo cases (names, phones), and one case taken through the API with a
unique marker in every free-text field a user can type about a victim or a case.
"""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from cases.demo import DEMO_CASES, DEMO_NAMES, seed_cases


def needs_pg_dump(test):
    marks = [
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason="pg_dump needs PostgreSQL: run with DATABASE_URL=postgres://... to hunt",
        ),
        pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ]
    for mark in marks:
        test = mark(test)
    return test


def _seeded_secrets() -> list[str]:
    phones = [f"09{i:02d}555{i:03d}" for i in range(len(DEMO_CASES))]
    return [*DEMO_NAMES, *phones, *(f"+84{p[1:]}" for p in phones)]


def _pg_dump() -> str:
    db = connection.settings_dict
    return subprocess.run(
        [
            "pg_dump",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        capture_output=True,
        check=True,
        env={"PGPASSWORD": db["PASSWORD"] or ""},
    ).stdout.decode("utf-8", "replace")


def _log() -> str:
    return (settings.DATA_DIR / "loive.log").read_text(errors="replace")


@needs_pg_dump
def test_no_identity_in_a_database_dump_or_the_log(demo_org):
    seed_cases()
    dump = _pg_dump()
    assert "COPY public.cases_person" in dump
    log = _log()
    for secret in _seeded_secrets():
        assert secret not in dump, "a seeded value is in the dump"
        assert secret not in log, "a seeded value is in the log"


def _marker(field: str) -> str:
    return f"MARKER-{field.replace('.', '-').upper()}-7Q"


# Every free-text field a user types about a victim or a case, as model.field; the API calls
# below put _marker(field) in each. tests/security/test_free_text_encrypted.py keeps this list
# honest: every text field of a case model is encrypted or declared non-identifying.
FREE_TEXT_FIELDS = [
    "Intake.narrative",
    "Person.full_name",
    "Person.other_names",
    "Person.id_number",
    "Person.phone",
    "Person.address",
    "Person.relationship",
    "Verification.finding",
    "Identification.document_number",
    "ProtectionMeasure.details",
    "ProtectionMeasure.refusal_commitment",
    "SupportService.note",
    "StateChange.reason",
    "Referral.reason",
]


def _post(client, url: str, body: dict, expect: int = 201) -> dict:
    response = client.post(url, body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def seed_case_with_markers(api, cast) -> None:
    m = _marker
    border = api(cast.named("ht-border_guard-caseworker"))
    social = api(cast.named("ht-health_department-caseworker"))
    case = _post(
        border,
        "/api/v1/intakes/",
        {
            "channel": "border_handover",
            "received_at": "2025-12-01T08:00:00+07:00",
            "purposes": ["forced_labour"],
            "narrative": m("Intake.narrative"),
            "victim": {
                "full_name": m("Person.full_name"),
                "other_names": m("Person.other_names"),
                "id_number": m("Person.id_number")[:32],
                "phone": "0912000777",
                "address": m("Person.address"),
                "birth_year": 1990,
                "sex": "male",
            },
            "reporter": {"full_name": "Reporter", "relationship": m("Person.relationship")},
        },
    )["case"]
    url = f"/api/v1/cases/{case['id']}"
    _post(border, f"{url}/screenings/", {"indicators": ["deception"]})
    _post(
        border,
        f"{url}/transitions/",
        {"transition": "start_verification", "reason": m("StateChange.reason")},
        200,
    )
    _post(
        border,
        f"{url}/verifications/",
        {"outcome": "signs_of_trafficking", "finding": m("Verification.finding")},
    )
    _post(
        border,
        f"{url}/identifications/",
        {
            "is_victim": True,
            "document_type": "border_guard_confirmation",
            "document_number": m("Identification.document_number"),
        },
    )
    _post(
        border,
        f"{url}/protections/",
        {
            "kind": "safety_of_victim",
            "details": m("ProtectionMeasure.details"),
            "refused": True,
            "refusal_commitment": m("ProtectionMeasure.refusal_commitment"),
        },
    )
    _post(border, f"{url}/services/", {"kind": "essential_needs", "note": m("SupportService.note")})
    _post(
        border,
        f"{url}/consents/",
        {"recipient_kind": "health_department", "purpose": "reception", "status": "given"},
    )
    referral = _post(
        border,
        "/api/v1/referrals/",
        {"case": case["id"], "purpose": "reception", "to_unit": "ht-health_department"},
    )
    _post(
        social, f"/api/v1/referrals/{referral['id']}/reject/", {"reason": m("Referral.reason")}, 200
    )


@needs_pg_dump
def test_no_free_text_about_a_case_in_a_database_dump_or_the_log(api, cast):
    seed_case_with_markers(api, cast)
    dump = _pg_dump()
    assert "COPY public.cases_supportservice" in dump
    log = _log()
    assert "0912000777" not in dump
    found = [f for f in FREE_TEXT_FIELDS if _marker(f)[:32] in dump]
    assert not found, f"free text in clear in the dump: {found}"
    assert not [f for f in FREE_TEXT_FIELDS if _marker(f)[:32] in log], "free text in the log"
