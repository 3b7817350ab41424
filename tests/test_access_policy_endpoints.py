"""Need-to-know through the API, table-driven: every role × agency kind × field group × endpoint.

The expected answer for each combination is the policy table itself (security.policy); this
test proves that every endpoint enforces it: hidden field groups are absent, not blanked.
"""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from cases.models import Case, CaseHolding
from security.models import AuditEvent
from security.policy import FieldGroup, visible_field_groups
from tests.cast import open_case, record, refused

pytestmark = pytest.mark.django_db

# One field that proves each field group is shown: (where in the case detail, field name).
PROOF = {
    FieldGroup.IDENTITY: ("victim", "full_name"),
    FieldGroup.CONTACTS_RELATIVES: ("relative", "address"),
    FieldGroup.NARRATIVE: ("intakes", "narrative"),
    FieldGroup.INVESTIGATION: ("verifications", "finding"),
    FieldGroup.LEGAL: ("identifications", "document_number"),
    FieldGroup.REPATRIATION: ("protections", "details"),
}
SECRETS = ["Vừ Thị Dợ", "Bản Phố, Bắc Hà", "GXN-0001", "bị lừa sang Hà Khẩu"]
COMBINATIONS = [(role, kind) for role in Role.values for kind in AgencyKind.values]


@pytest.fixture
def full_case(api, cast) -> Case:
    border = api(cast.border_guard)
    body = {
        "channel": "border_handover",
        "received_at": "2025-09-14T09:30:00+07:00",
        "narrative": "bị lừa sang Hà Khẩu",
        "victim": {"full_name": "Vừ Thị Dợ", "stated_age": 17, "sex": "female"},
        "relatives": [{"full_name": "Vừ A Chá", "address": "Bản Phố, Bắc Hà"}],
    }
    case_id = open_case(border, body)["id"]
    record(
        border,
        case_id,
        "verifications",
        {"outcome": "signs_of_trafficking", "finding": "bị lừa sang Hà Khẩu"},
    )
    record(
        border,
        case_id,
        "identifications",
        {
            "is_victim": True,
            "document_number": "GXN-0001",
            "document_type": "certificate_of_return",
        },
    )
    record(border, case_id, "protections", {"kind": "shelter", "details": "Trung tâm CTXH"})
    return Case.objects.get(uuid=case_id)


def _shown(detail: dict) -> set[str]:
    people = {p["role"]: p for p in detail["people"]}
    shown = set()
    for group, (where, field) in PROOF.items():
        items = [people.get(where, {})] if where in ("victim", "relative") else detail[where]
        if any(field in item for item in items):
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
    other_urls = [f"{detail_url}timeline/", f"{detail_url}transitions/", "/api/v1/cases/"]

    # Not holding the case: it does not exist for this user, on every endpoint (and audited).
    if kind != AgencyKind.STEERING_COMMITTEE or role != Role.SUPERVISOR:
        refused(client.get(detail_url), 404, "not_found")
        assert AuditEvent.objects.filter(action="access.refused", actor_id=user.pk).exists()

    CaseHolding.objects.create(
        case=full_case, unit=unit, basis="referral", since=full_case.received_at
    )
    reason = "kiểm tra định kỳ" if role == Role.SUPERVISOR else ""
    if role == Role.SUPERVISOR:  # a supervisor reads a case only with a typed reason
        refused(client.get(detail_url), 400, "reason_required")
    response = client.get(detail_url, {"reason": reason} if reason else {})
    if role in (Role.ADMINISTRATOR, Role.HOTLINE_OPERATOR):
        # Administration is not need-to-know; operators see only the intakes they took.
        refused(response, 404, "not_found")
        return
    assert response.status_code == 200
    expected = visible_field_groups(user, holds_case=True, referral_groups=None, reason=reason)
    expected &= set(PROOF)
    assert _shown(response.json()) == expected
    for url in other_urls:
        body = client.get(url).content.decode()
        assert not any(secret in body for secret in SECRETS), url


def test_a_supervisor_reads_identity_only_with_a_reason_and_it_is_audited(api, full_case):
    unit, user = _member(Role.SUPERVISOR, AgencyKind.STEERING_COMMITTEE, full_case)
    client = api(user)
    for blank in ({}, {"reason": "   "}):
        refused(client.get(f"/api/v1/cases/{full_case.uuid}/", blank), 400, "reason_required")
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
