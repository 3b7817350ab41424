"""Consent is per recipient kind × purpose (× unit); a legal basis from the rulebook's closed
list, with a typed justification, stands in for it; an override after a refusal or withdrawal
is only for the roles the rulebook names, audited, and told to the case's lead unit.

One test per rule (issue 9, points 1 and 2).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from agencies.models import Unit
from cases.models import Case, Consent
from config.errors import InvalidInput, NotAllowed
from notifications.models import OutboxMessage
from referrals.models import Referral
from referrals.selectors import Recipient, consent_withdrawn, latest_consent
from referrals.services import send_referral
from rulebooks.models import LegalBasis
from security.models import AuditEvent

from .conftest import RETURNEE, give_consent, refer

pytestmark = pytest.mark.django_db

POLICE = {"to_unit": "ht-police"}


def test_consent_for_one_purpose_does_not_allow_another(border, case_id):
    give_consent(border, case_id, "police", purpose="verification")
    assert refer(border, case_id, purpose="rescue", expect=400, **POLICE)["error"] == "no_consent"
    assert refer(border, case_id, purpose="verification", **POLICE)["consent"] is not None


def test_withdrawing_one_purpose_blocks_only_that_purpose(border, case_id):
    give_consent(border, case_id, "police", purpose="verification")
    give_consent(border, case_id, "police", purpose="rescue")
    give_consent(border, case_id, "police", purpose="rescue", status="withdrawn")
    refused = refer(border, case_id, purpose="rescue", expect=400, **POLICE)
    assert refused["error"] == "consent_withdrawn"
    assert refer(border, case_id, purpose="verification", **POLICE)["status"] == "sent"


def test_a_consent_naming_a_unit_covers_that_unit_only(border, case_id):
    give_consent(border, case_id, "police", purpose="verification", unit="lc-police")
    assert refer(border, case_id, purpose="verification", expect=400, **POLICE)["error"] == (
        "no_consent"
    )
    to_kind = {"to_unit": None, "to_kind": "police", "to_province": "42"}
    assert refer(border, case_id, purpose="verification", expect=400, **to_kind)["error"] == (
        "no_consent"
    )
    assert refer(border, case_id, purpose="verification", to_unit="lc-police")["status"] == "sent"


def test_withdrawing_for_one_unit_leaves_the_kinds_other_units(border, case_id):
    give_consent(border, case_id, "police", purpose="verification")
    give_consent(
        border, case_id, "police", purpose="verification", unit="lc-police", status="withdrawn"
    )
    refused = refer(border, case_id, purpose="verification", expect=400, to_unit="lc-police")
    assert refused["error"] == "consent_withdrawn"
    assert refer(border, case_id, purpose="verification", **POLICE)["status"] == "sent"


def test_a_legal_basis_needs_a_typed_justification(border, case_id):
    body = refer(border, case_id, legal_basis="urgent-verification", expect=400, **POLICE)
    assert body["error"] == "justification_required"
    blank = refer(
        border, case_id, legal_basis="urgent-verification", justification="  ", expect=400, **POLICE
    )
    assert blank["error"] == "justification_required"
    assert not Referral.objects.exists()


def test_a_legal_basis_must_come_from_the_closed_list(border, case_id):
    body = refer(border, case_id, legal_basis="because-i-say-so", justification="x", expect=400)
    assert body["error"] == "invalid"
    LegalBasis.objects.filter(code="urgent-verification").update(is_active=False)
    body = refer(
        border, case_id, legal_basis="urgent-verification", justification="x", expect=400, **POLICE
    )
    assert "legal_basis" in body["detail"]


def test_the_legal_bases_carry_citations_and_flag_their_defaults(db):
    bases = {b.code: b for b in LegalBasis.objects.filter(is_active=True)}
    assert {"urgent-verification", "child-protection", "crime-report"} <= set(bases)
    assert "53/2024" in bases["urgent-verification"].citation
    assert "102/2016" in bases["child-protection"].citation
    assert all(b.citation and b.override_is_default for b in bases.values())


def test_an_override_after_a_withdrawal_is_allowed_to_the_named_roles_audited_and_told(
    border, case_id, people
):
    give_consent(border, case_id, "police", purpose="verification", status="withdrawn")
    sent = refer(
        border,
        case_id,
        purpose="verification",
        legal_basis="urgent-verification",
        justification="Traffickers are still looking for him",
        **POLICE,
    )
    assert (sent["consent_override"], sent["consent"]) == (True, None)
    event = AuditEvent.objects.get(action="referral.consent_override")
    assert event.details["legal_basis"] == "urgent-verification"
    assert event.actor_id == people["border"].pk
    lead = Case.objects.get(uuid=case_id).lead_unit
    told = OutboxMessage.objects.filter(idempotency_key__startswith="consent-override:")
    assert told.exists()
    assert {m.recipient.unit_id for m in told} == {lead.pk}


def test_an_override_by_a_role_the_rulebook_does_not_name_is_refused(border, case_id):
    give_consent(border, case_id, "health_department", status="withdrawn")
    # notify-social-protection: only supervisors may invoke it after a withdrawal.
    body = refer(
        border,
        case_id,
        legal_basis="notify-social-protection",
        justification="Duty to notify",
        expect=403,
    )
    assert body["error"] == "override_not_allowed"
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="referral.consent_override").exists()


def test_a_legal_basis_without_any_recorded_decision_is_no_override(border, case_id):
    sent = refer(border, case_id, legal_basis="notify-social-protection", justification="Duty")
    assert sent["consent_override"] is False
    assert not AuditEvent.objects.filter(action="referral.consent_override").exists()


def test_a_consent_id_of_another_case_is_404_and_of_another_purpose_400(
    border, case_id, api, people
):
    other_case = border.post("/api/v1/intakes/", RETURNEE, format="json").json()["case"]["id"]
    foreign = give_consent(border, other_case, "health_department")
    body = refer(border, case_id, consent=foreign["id"], expect=404)
    assert body["error"] == "not_found"
    rescue = give_consent(border, case_id, "health_department", purpose="rescue")
    assert refer(border, case_id, consent=rescue["id"], expect=400)["error"] == "consent_mismatch"


def test_the_service_refuses_with_a_domain_error_before_any_constraint(people, case_id):
    case = Case.objects.get(uuid=case_id)
    border = people["border"]
    unit = people["social"].unit
    basis = LegalBasis.objects.get(code="notify-social-protection")
    with pytest.raises(InvalidInput) as no_basis:
        send_referral(border, case, purpose="reception", to_unit=unit)
    assert no_basis.value.code == "no_consent"
    with pytest.raises(InvalidInput) as unjustified:
        send_referral(border, case, purpose="reception", to_unit=unit, legal_basis=basis)
    assert unjustified.value.code == "justification_required"


def test_the_override_rule_reads_the_rulebook(border, case_id, people):
    """Naming the role in the rulebook is what allows it: data, not code."""
    give_consent(border, case_id, "health_department", status="withdrawn")
    case = Case.objects.get(uuid=case_id)
    basis = LegalBasis.objects.get(code="notify-social-protection")
    args = {"purpose": "reception", "to_unit": people["social"].unit, "legal_basis": basis}
    with pytest.raises(NotAllowed):
        send_referral(people["border"], case, justification="Duty", **args)
    basis.override_roles = [*basis.override_roles, "caseworker"]
    basis.save()
    referral = send_referral(people["border"], case, justification="Duty", **args)
    assert referral.consent_override


def test_a_consent_records_how_and_in_which_language_the_victim_was_informed(border, case_id):
    body = {"recipient_kind": "police", "purpose": "verification", "status": "given"}
    response = border.post(f"/api/v1/cases/{case_id}/consents/", body, format="json")
    assert response.status_code == 400
    assert {"informed_how", "informed_language"} <= set(response.json()["detail"])
    recorded = give_consent(border, case_id, "police", informed_language="hmn")
    assert recorded["informed_language"] == "hmn"
    assert recorded["informed_how"] == "orally"


def test_a_consent_for_a_unit_of_another_kind_is_refused(border, case_id):
    body = {
        "recipient_kind": "police",
        "unit": "ht-health_department",
        "purpose": "verification",
        "status": "given",
        "informed_how": "orally",
        "informed_language": "vi",
    }
    response = border.post(f"/api/v1/cases/{case_id}/consents/", body, format="json")
    assert (response.status_code, response.json()["error"]) == (400, "unit_kind")


def test_accepting_is_blocked_only_by_a_withdrawal_for_the_referrals_purpose(
    border, case_id, api, people
):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    give_consent(border, case_id, "health_department", purpose="medical", status="withdrawn")
    social = api(people["social"])
    response = social.post(f"/api/v1/referrals/{sent['id']}/accept/", {}, format="json")
    assert response.status_code == 200, response.json()


def test_the_openapi_schema_documents_the_legal_basis_by_code_and_the_justification(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    sent = schema["components"]["schemas"]["ReferralInput"]["properties"]
    assert sent["legal_basis"]["type"] == "string"
    assert {"justification", "consent"} <= set(sent)
    shown = schema["components"]["schemas"]["Referral"]["properties"]
    assert {"legal_basis", "legal_basis_citation", "justification", "consent_override"} <= set(
        shown
    )


# --- the selectors that decide which decision covers a referral (referrals.selectors) -------


def _consent(kind="police", purpose="verification", unit_id=None, status="given") -> Consent:
    return Consent(recipient_kind=kind, purpose=purpose, unit_id=unit_id, status=status)


@pytest.mark.parametrize(
    ("consent", "recipient_unit", "covered"),
    [
        (_consent(), None, True),  # the kind, no unit named: covers a referral to the kind
        (_consent(), 7, True),  # ... and to any unit of the kind
        (_consent(unit_id=7), 7, True),  # naming a unit: covers that unit
        (_consent(unit_id=7), 8, False),  # ... not another
        (_consent(unit_id=7), None, False),  # ... nor the kind as a whole
        (_consent(kind="health_department"), 7, False),  # another kind
        (_consent(purpose="rescue"), 7, False),  # another purpose
        (_consent(kind="health_department", purpose="rescue"), 7, False),
    ],
)
def test_a_consent_covers_only_its_kind_purpose_and_the_unit_it_names(
    consent, recipient_unit, covered
):
    unit = Unit(pk=recipient_unit) if recipient_unit else None
    assert Recipient("police", "verification", unit).covered_by(consent) is covered


def test_a_referrals_recipient_is_its_kind_purpose_and_unit():
    unit = Unit(pk=7)
    referral = Referral(to_kind="police", purpose="rescue", to_unit=unit)
    assert Recipient.of(referral) == Recipient("police", "rescue", unit)
    assert Recipient.of(Referral(to_kind="police", purpose="rescue")).unit is None


def _decide(case: Case, at, status: str, *, purpose="verification", unit=None) -> Consent:
    return Consent.objects.create(
        case=case,
        recorded_by=case.intakes.get().received_by,
        recorded_at=at,
        recipient_kind="police",
        purpose=purpose,
        unit=unit,
        status=status,
        given_by="victim",
        informed_how="orally",
        informed_language="vi",
    )


def test_the_latest_covering_decision_decides_and_of_two_at_once_the_last_recorded(case_id):
    case = Case.objects.get(uuid=case_id)
    police = Unit.objects.get(code="ht-police")
    other = Unit.objects.exclude(pk=police.pk).filter(kind="police").first()
    recipient = Recipient("police", "verification", police)
    assert latest_consent(case, recipient) is None
    t0 = timezone.now() - timedelta(days=3)
    first = _decide(case, t0, "given")
    assert latest_consent(case, recipient) == first
    _decide(case, t0 + timedelta(days=2), "refused", purpose="rescue")  # another purpose
    _decide(case, t0 + timedelta(days=2), "refused", unit=other)  # another unit
    assert latest_consent(case, recipient) == first
    refused = _decide(case, t0 + timedelta(days=1), "refused", unit=police)
    assert latest_consent(case, recipient) == refused
    assert latest_consent(case, Recipient("police", "verification")) == first
    again = _decide(case, t0 + timedelta(days=1), "given")  # the same moment, recorded later
    assert latest_consent(case, recipient) == again
    # Entered last, but decided before: the time of the decision decides, not the row's order.
    _decide(case, t0 + timedelta(hours=1), "withdrawn")
    assert latest_consent(case, recipient) == again


@pytest.mark.parametrize(
    ("status", "consent", "withdrawn"),
    [
        ("sent", "refused", True),
        ("accepted", "withdrawn", True),
        ("sent", "given", False),
        ("accepted", None, False),  # no decision covers it (shared on a legal basis)
        ("completed", "withdrawn", False),  # no longer open
        ("rejected", "refused", False),
    ],
)
def test_an_open_referral_is_flagged_when_its_recipient_was_refused(status, consent, withdrawn):
    referral = Referral(status=status)
    referral.latest_consent_status = consent
    assert consent_withdrawn(referral) is withdrawn


def test_a_referral_without_its_consent_status_is_not_flagged():
    assert consent_withdrawn(Referral(status="sent")) is False
