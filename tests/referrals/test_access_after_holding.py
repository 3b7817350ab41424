"""What a receiving unit still sees once its hold on a case ended, by how it ended (issue 14,
point 4): a withdrawn or rejected referral ends all access; a completed one leaves the unit
the case summary without identity and its own records. Decided in one place:
cases.models.HOLDING_SIGHT."""

import pytest

from cases.models import HOLDING_SIGHT, CaseHolding, HoldingEnd, Sight

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
