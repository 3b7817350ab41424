"""Need-to-know through the API, table-driven: every role × agency kind × field group ×
endpoint, related records included (issue 9, "Done means").

Nothing here restates the policy. The field groups each user should see come from the policy
table (security.policy.visible_field_groups); which field proves which group is read from the
presentation table (cases.visibility: person fields, each record's protected fields, the
support services that are medical records), so a field or group added there is tested here
without editing this file, and a group with no field at all fails.

Size: 5 roles × 13 agency kinds = 65 generated cases; each checks the 7 field groups on the
case detail, and the secrets of every group on the case list, timeline, transitions, the
referral list and one referral (medical records included), i.e. 65 × 7 × 6 = 2,730 checks.
"""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from cases.models import Case, CaseHolding, PersonRole
from cases.selectors import visible_cases
from cases.visibility import PERSON_FIELDS, PERSON_ROLE_GROUP, RECORDS, SENSITIVE_SERVICE_KINDS
from security.models import AuditEvent
from security.policy import FieldGroup, need_to_know, visible_field_groups
from tests.cast import open_case, record

pytestmark = pytest.mark.django_db

# A value for every protected field, recognisable in any response body.
MARKERS = {
    ("intakes", "narrative"): "bị lừa sang Hà Khẩu",
    ("verifications", "finding"): "môi giới ở Hà Khẩu",
    ("identifications", "document_number"): "GXN-0001",
    ("protections", "details"): "Trung tâm CTXH Lào Cai",
    ("person", "full_name"): "Vừ Thị Dợ",
    ("person", "address"): "Bản Phố, Bắc Hà",
}
COMBINATIONS = [(role, kind) for role in Role.values for kind in AgencyKind.values]


def proofs() -> dict[str, set[tuple[str, str]]]:
    """Field group → the (where, field) pairs that show it, read from cases.visibility."""
    found: dict[str, set[tuple[str, str]]] = {group: set() for group in FieldGroup.values}
    for group, names in PERSON_FIELDS.items():
        for role, role_group in PERSON_ROLE_GROUP.items():
            if role_group == group or role_group == FieldGroup.IDENTITY:
                found[group] |= {(role, name) for name in names}
    for key, shape in RECORDS.items():
        for name, group in shape.protected.items():
            found[group].add((key, name))
    for kind, group in SENSITIVE_SERVICE_KINDS.items():
        found[group].add(("services", kind))
    return found


def test_every_field_group_has_a_field_or_record_that_shows_it():
    """A group no field belongs to cannot be enforced (issue 9, point 3)."""
    assert all(proofs().values()), {g for g, p in proofs().items() if not p}


@pytest.fixture
def full_case(api, cast) -> Case:
    """A case with a record for every protected field and every medical-record service, and
    a referral for psychological support (a medical record too)."""
    border = api(cast.border_guard)
    body = {
        "channel": "border_handover",
        "received_at": "2025-09-14T09:30:00+07:00",
        "narrative": MARKERS[("intakes", "narrative")],
        "victim": {
            "full_name": MARKERS[("person", "full_name")],
            "stated_age": 17,
            "sex": "female",
        },
        "relatives": [{"full_name": "Vừ A Chá", "address": MARKERS[("person", "address")]}],
    }
    case_id = open_case(border, body)["id"]
    finding = MARKERS[("verifications", "finding")]
    record(
        border, case_id, "verifications", {"outcome": "signs_of_trafficking", "finding": finding}
    )
    record(
        border,
        case_id,
        "identifications",
        {
            "is_victim": True,
            "document_number": MARKERS[("identifications", "document_number")],
            "document_type": "certificate_of_return",
        },
    )
    details = MARKERS[("protections", "details")]
    record(border, case_id, "protections", {"kind": "shelter", "details": details})
    for kind in [*SENSITIVE_SERVICE_KINDS, "essential_needs"]:
        record(border, case_id, "services", {"kind": kind})
    consent = {"informed_how": "orally", "informed_language": "vi", "status": "given"}
    record(
        border,
        case_id,
        "consents",
        {"recipient_kind": "health_department", "purpose": "psychological", **consent},
    )
    referral = border.post(
        "/api/v1/referrals/",
        {"case": case_id, "to_unit": "lc-health_department", "purpose": "psychological"},
        format="json",
    )
    assert referral.status_code == 201, referral.json()
    return Case.objects.get(uuid=case_id)


def _shown(detail: dict) -> set[str]:
    people = {p["role"]: p for p in detail["people"]}
    services = {s["kind"] for s in detail["services"]}
    shown = set()
    for group, pairs in proofs().items():
        for where, field in pairs:
            if where in PersonRole.values:
                hit = field in people.get(where, {})
            elif where == "services":
                hit = field in services
            else:
                hit = any(field in item for item in detail[where])
            if hit:
                shown.add(group)
    return shown


def _member(role: str, kind: str, case: Case):
    unit = Unit.objects.create(
        code=f"t-{kind}-{role}",
        name=kind,
        kind=kind,
        level=UnitLevel.PROVINCE,
        province=case.lead_unit.province,
    )
    user = create_user(username=f"u-{kind}-{role}", password="x-Test-pass-42", role=role, unit=unit)
    return unit, user


@pytest.mark.parametrize(("role", "kind"), COMBINATIONS)
def test_case_endpoints_enforce_the_policy(api, full_case, role, kind):
    unit, user = _member(role, kind, full_case)
    client = api(user)
    detail_url = f"/api/v1/cases/{full_case.uuid}/"
    referral = full_case.referrals.get()
    other_urls = [
        f"{detail_url}timeline/",
        f"{detail_url}transitions/",
        "/api/v1/cases/",
        "/api/v1/referrals/",
        f"/api/v1/referrals/{referral.uuid}/",
    ]
    secrets = list(MARKERS.values())

    if role == Role.INTEGRATION:  # a system: nothing but intake and case status, ever
        for url in [detail_url, *other_urls]:
            assert client.get(url).status_code == 403, url
        return

    # Not holding the case: it does not exist for this user, on every endpoint (and audited).
    if kind != AgencyKind.STEERING_COMMITTEE or role != Role.SUPERVISOR:
        assert client.get(detail_url).status_code == 404
        assert AuditEvent.objects.filter(action="access.refused", actor_id=user.pk).exists()

    CaseHolding.objects.create(
        case=full_case, unit=unit, basis="referral", since=full_case.received_at
    )
    reason = "kiểm tra định kỳ" if role == Role.SUPERVISOR else ""
    if role == Role.SUPERVISOR:  # a supervisor reads a case only with a typed reason
        refused = client.get(detail_url)
        assert (refused.status_code, refused.json()["error"]) == (400, "reason_required")
    response = client.get(detail_url, {"reason": reason} if reason else {})
    sees_case = visible_cases(user).filter(pk=full_case.pk).exists()
    if not sees_case:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        expected = visible_field_groups(user, holds_case=True, referral_groups=None, reason=reason)
        assert _shown(response.json()) == set(expected)
    # Lists and related records: never a protected value; the psychological-support referral
    # (a medical record) only to those whose need-to-know includes medical records.
    for url in other_urls:
        body = client.get(url).content.decode()
        assert not any(secret in body for secret in secrets), url
    medical_known = FieldGroup.MEDICAL_PSYCHOLOGICAL in need_to_know(role, kind)
    listed = str(referral.uuid) in client.get("/api/v1/referrals/").content.decode()
    assert listed == (sees_case and medical_known)
    assert client.get(other_urls[-1]).status_code == (200 if listed else 404)


def test_a_supervisor_reads_identity_only_with_a_reason_and_it_is_audited(api, full_case):
    unit, user = _member(Role.SUPERVISOR, AgencyKind.STEERING_COMMITTEE, full_case)
    client = api(user)
    for blank in ({}, {"reason": "   "}):
        refused = client.get(f"/api/v1/cases/{full_case.uuid}/", blank)
        assert (refused.status_code, refused.json()["error"]) == (400, "reason_required")
    refusals = AuditEvent.objects.filter(action="case.read_refused", actor_id=user.pk)
    assert [e.details["why"] for e in refusals] == ["reason_required", "reason_required"]
    reasoned = client.get(f"/api/v1/cases/{full_case.uuid}/", {"reason": "audit of case 7"}).json()
    assert _shown(reasoned) == {FieldGroup.IDENTITY}
    event = AuditEvent.objects.filter(action="identity.read", actor_id=user.pk).get()
    assert event.reason == "audit of case 7"
    assert "Vừ" not in str(event.details)


def test_a_referral_narrows_what_the_receiver_sees(api, full_case):
    unit, user = _member(Role.CASEWORKER, AgencyKind.POLICE, full_case)
    CaseHolding.objects.create(
        case=full_case,
        unit=unit,
        basis="referral",
        since=full_case.received_at,
        field_groups=["identity"],
    )
    detail = api(user).get(f"/api/v1/cases/{full_case.uuid}/").json()
    assert _shown(detail) == {FieldGroup.IDENTITY}
