"""What a receiving unit still sees once its hold on a case ended, by how it ended (issue 14,
point 4): a withdrawn or rejected referral ends all access; a completed one leaves the unit
the case summary without identity and its own records. Decided in one place:
cases.models.HOLDING_SIGHT."""

import pytest

from cases.models import HOLDING_SIGHT, CaseHolding, HoldingEnd, Sight
from security.models import AuditEvent

from ..cast import give_consent, refer

pytestmark = pytest.mark.django_db


def test_the_one_rule():
    assert HOLDING_SIGHT == {
        "": Sight.FULL,
        HoldingEnd.COMPLETED: Sight.SUMMARY,
        HoldingEnd.HANDED_OVER: Sight.SUMMARY,
        HoldingEnd.WITHDRAWN: Sight.NONE,
        HoldingEnd.REJECTED: Sight.NONE,
    }


@pytest.fixture
def social(api, people):
    return api(people["social"])


@pytest.fixture
def accepted(border, social, case_id):
    """The health department accepted the referral and recorded a service of its own."""
    give_consent(border, case_id, "health_department")
    referral = refer(border, case_id)
    assert social.post(f"/api/v1/referrals/{referral['id']}/accept").status_code == 200
    body = {"kind": "essential_needs"}
    response = social.post(f"/api/v1/cases/{case_id}/services/", body, format="json")
    assert response.status_code == 201, response.json()
    detail = social.get(f"/api/v1/cases/{case_id}/").json()
    assert _victim(detail)["full_name"] == "Lò Văn Pó"  # while it holds the case
    assert detail["intakes"] and detail["consents"]
    return referral


def _victim(detail: dict) -> dict:
    return next(p for p in detail["people"] if p["role"] == "victim")


def _listed(client) -> set[str]:
    return {c["id"] for c in client.get("/api/v1/cases/?limit=200").json()["results"]}


def test_a_withdrawn_referral_ends_all_access(border, social, case_id, accepted):
    response = border.post(
        f"/api/v1/referrals/{accepted['id']}/withdraw", {"reason": "Sent by mistake"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert CaseHolding.objects.get(unit__code="ht-health_department").ended_as == "withdrawn"
    assert social.get(f"/api/v1/cases/{case_id}/").status_code == 404
    assert social.get(f"/api/v1/cases/{case_id}/transitions/").status_code == 404
    assert case_id not in _listed(social)
    assert _victim(border.get(f"/api/v1/cases/{case_id}/").json())["full_name"] == "Lò Văn Pó"


def test_a_rejected_referral_gives_no_access(border, social, case_id):
    give_consent(border, case_id, "health_department")
    referral = refer(border, case_id)
    response = social.post(
        f"/api/v1/referrals/{referral['id']}/reject", {"reason": "Not ours"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert social.get(f"/api/v1/cases/{case_id}/").status_code == 404
    assert case_id not in _listed(social)


def test_a_rejected_hold_ends_all_access(social, case_id, accepted):
    """Whatever ends a hold as rejected, the rule says nothing remains."""
    CaseHolding.objects.filter(unit__code="ht-health_department").update(
        **CaseHolding.ending(HoldingEnd.REJECTED, accepted["sent_at"])
    )
    assert social.get(f"/api/v1/cases/{case_id}/").status_code == 404
    assert case_id not in _listed(social)


def test_a_completed_referral_leaves_the_summary_and_own_records(border, social, case_id, accepted):
    assert social.post(f"/api/v1/referrals/{accepted['id']}/complete").status_code == 200
    assert CaseHolding.objects.get(unit__code="ht-health_department").ended_as == "completed"
    assert case_id in _listed(social)
    detail = social.get(f"/api/v1/cases/{case_id}/").json()
    assert detail["number"] and detail["state"]  # the summary
    assert detail["field_groups"] == []
    victim = _victim(detail)
    assert not {"full_name", "birth_year", "phone", "address", "id_number"} & set(victim)
    assert [s["provider_unit__code"] for s in detail["services"]] == ["ht-health_department"]
    assert detail["intakes"] == [] and detail["consents"] == []  # the Border Guard's records
    assert [h["unit__code"] for h in detail["holders"]] == ["ht-health_department"]
    assert detail["available_transitions"] == []
    # The sending unit, still holding the case, sees it all.
    assert _victim(border.get(f"/api/v1/cases/{case_id}/").json())["full_name"] == "Lò Văn Pó"


def _reads(user, *actions: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor_id=user.pk, action__in=actions).order_by("id"))


IDENTITY_FIELDS = {"full_name", "other_names", "birth_date", "birth_year", "id_number"}


@pytest.mark.parametrize("reason", ["Gọi lại cho nạn nhân", ""])
def test_a_unit_whose_hold_completed_is_refused_identity_and_the_refusal_is_audited(
    border, social, people, case_id, accepted, reason
):
    """Asking for the case after the hold completed: the summary comes back without identity,
    and the ledger keeps a refusal, with the reason typed (if any), not an identity read."""
    assert social.post(f"/api/v1/referrals/{accepted['id']}/complete").status_code == 200
    before = _reads(people["social"], "identity.read", "case.read")

    detail = social.get(f"/api/v1/cases/{case_id}/", {"reason": reason}).json()

    assert not (IDENTITY_FIELDS | {"phone", "address"}) & set(_victim(detail))
    refusal = _reads(people["social"], "identity.read_refused")
    assert [(e.reason, e.details["why"], e.details["ended_as"]) for e in refusal] == [
        (reason, "holding_ended", "completed")
    ]
    assert refusal[0].case_uuid is not None and str(refusal[0].case_uuid) == case_id
    assert _reads(people["social"], "identity.read", "case.read") == before


def test_a_handed_over_hold_leaves_the_summary_without_identity(social, people, case_id, accepted):
    CaseHolding.objects.filter(unit__code="ht-health_department").update(
        **CaseHolding.ending(HoldingEnd.HANDED_OVER, accepted["sent_at"])
    )
    detail = social.get(f"/api/v1/cases/{case_id}/").json()
    assert detail["field_groups"] == [] and not IDENTITY_FIELDS & set(_victim(detail))
    assert [s["provider_unit__code"] for s in detail["services"]] == ["ht-health_department"]
    refusal = _reads(people["social"], "identity.read_refused")
    assert [e.details["ended_as"] for e in refusal] == ["handed_over"]


def test_while_the_unit_holds_the_case_its_read_is_an_identity_read(social, people, accepted):
    """The other side of the refusal: the same unit, still holding, reads identity (audited)."""
    assert [e.details["groups"] for e in _reads(people["social"], "identity.read")]
    assert _reads(people["social"], "identity.read_refused") == []


@pytest.mark.parametrize("ending", [HoldingEnd.WITHDRAWN, HoldingEnd.REJECTED])
def test_a_withdrawn_or_rejected_hold_leaves_no_case_page_either(
    client, border, social, people, case_id, accepted, ending
):
    """After the unit held the case (accepted, with a service of its own recorded)."""
    if ending == HoldingEnd.WITHDRAWN:
        body = {"reason": "Sent by mistake"}
        url = f"/api/v1/referrals/{accepted['id']}/withdraw"
        assert border.post(url, body, format="json").status_code == 200
    else:
        CaseHolding.objects.filter(unit__code="ht-health_department").update(
            **CaseHolding.ending(ending, accepted["sent_at"])
        )
    assert CaseHolding.objects.get(unit__code="ht-health_department").ended_as == ending
    client.force_login(people["social"])
    assert client.get(f"/cases/{case_id}/").status_code == 404
    assert social.get(f"/api/v1/cases/{case_id}/documents/").status_code == 404
