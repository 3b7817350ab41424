"""Referrals through the API: consent, routing, the life of a referral, errors."""

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from cases.models import CaseHolding
from referrals.models import Referral
from rulebooks.services import change_deadline
from tests.cast import act, give_consent, refer, refused

pytestmark = pytest.mark.django_db


def test_without_consent_or_legal_basis_it_is_refused(border, case_id):
    refer(border, case_id, expect=400, error="no_consent")
    assert not Referral.objects.exists()


def test_a_legal_basis_allows_it_without_consent(border, case_id):
    body = refer(
        border,
        case_id,
        legal_basis="notify-social-protection",
        justification="Brought to the commune by the Border Guard",
    )
    assert body["consent"] is None
    assert body["legal_basis"] == "notify-social-protection"
    assert "khoản 1 Điều 27" in body["legal_basis_citation"]
    assert body["consent_override"] is False


def test_withdrawn_consent_blocks_new_referrals_and_flags_open_ones(border, case_id, api, people):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    assert sent["consent_withdrawn"] is False
    give_consent(border, case_id, "health_department", status="withdrawn")
    refer(border, case_id, expect=400, error="consent_withdrawn")
    social = api(people["social"])
    assert social.get(f"/api/v1/referrals/{sent['id']}/").json()["consent_withdrawn"] is True
    act(social, sent["id"], "accept", 409, error="consent_withdrawn")


def test_consent_for_another_kind_does_not_count(border, case_id):
    give_consent(border, case_id, "police")
    refer(border, case_id, expect=400, error="no_consent")


def test_accepting_gives_the_receiver_the_purposes_field_groups(border, case_id, api, people):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id, field_groups=["identity", "medical_psychological"])
    social = api(people["social"])
    refused(social.get(f"/api/v1/cases/{case_id}/"), 404, "not_found")
    accepted = act(social, sent["id"], "accept", 200)
    assert (accepted["status"], accepted["accepted_by"]) == ("accepted", people["social"].username)
    holding = CaseHolding.objects.get(basis="referral")
    assert holding.field_groups == ["identity", "medical_psychological"]
    assert social.get(f"/api/v1/cases/{case_id}/").status_code == 200
    act(social, sent["id"], "accept", 409, error="transition_not_allowed")

    completed = act(social, sent["id"], "complete", 200)
    assert completed["status"] == "completed"
    holding.refresh_from_db()
    assert holding.until is not None
    assert social.get(f"/api/v1/cases/{case_id}/").status_code == 200  # held, so still seen


def test_a_referral_to_a_kind_in_a_province_is_routed_by_whoever_accepts(
    border, case_id, api, people
):
    give_consent(border, case_id, "police", purpose="investigation")
    sent = refer(
        border, case_id, purpose="investigation", to_unit=None, to_kind="police", to_province="42"
    )
    assert sent["to_unit"] is None
    police = api(people["police"])
    assert [r["id"] for r in police.get("/api/v1/referrals/?box=inbox").json()["results"]] == [
        sent["id"]
    ]
    refused(api(people["social"]).get(f"/api/v1/referrals/{sent['id']}/"), 404, "not_found")
    assert act(police, sent["id"], "accept", 200)["to_unit"] == "ht-police"


def test_reject_needs_a_reason_and_only_the_receiver_may(border, case_id, api, people):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    social = api(people["social"])
    act(social, sent["id"], "reject", 400, error="reason")
    act(border, sent["id"], "reject", 403, reason="no", error="forbidden")
    rejected = act(social, sent["id"], "reject", 200, reason="Not our province")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Not our province")


def test_the_reason_is_text_never_null_as_the_schema_says(border, case_id, api, people):
    """The schema declares what the API writes: a string, empty once the case's identity was
    erased (its key destroyed), never null."""
    reason = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"][
        "Referral"
    ]["properties"]["reason"]
    assert reason["type"] == "string" and not reason.get("nullable", False)
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    assert sent["reason"] == ""
    act(api(people["social"]), sent["id"], "reject", 200, reason="Not our province")
    number = Referral.objects.get(uuid=sent["id"]).case.number
    call_command("erase_identity", number, reason="retention", administrator="demo-admin")
    assert border.get(f"/api/v1/referrals/{sent['id']}/").json()["reason"] == ""


def test_the_sender_withdraws_and_the_receiver_loses_its_hold(border, case_id, api, people):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    social = api(people["social"])
    act(social, sent["id"], "accept", 200)
    act(social, sent["id"], "withdraw", 403, error="forbidden")
    assert act(border, sent["id"], "withdraw", 200, reason="Moved")["status"] == "withdrawn"
    assert CaseHolding.objects.get(basis="referral").until is not None
    act(social, sent["id"], "complete", 409, error="transition_not_allowed")


def test_outbox_and_inbox(border, case_id, api, people):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    assert [r["id"] for r in border.get("/api/v1/referrals/?box=outbox").json()["results"]] == [
        sent["id"]
    ]
    assert border.get("/api/v1/referrals/?box=inbox").json()["results"] == []
    refer(border, case_id, expect=409, error="duplicate")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"purpose": "nonsense"}, "invalid"),
        ({"to_unit": "no-such-unit"}, "invalid"),
        ({"to_unit": None}, "no_recipient"),
        ({"to_unit": None, "to_kind": "police"}, "no_recipient"),
        ({"field_groups": ["secrets"]}, "invalid"),
        ({"field_groups": []}, "invalid"),
        ({"consent": "not-an-id"}, "invalid"),
        ({"consent": 0}, "invalid"),
        ({"legal_basis": "no-such-basis"}, "invalid"),
        ({"step": "teleport"}, "invalid"),
        ({"case": "not-a-uuid"}, "invalid"),
        ({"to_unit": "ht-border_guard"}, "same_unit"),
    ],
)
def test_bad_input_is_a_400_never_a_500(border, case_id, body, error):
    give_consent(border, case_id, "health_department")
    response = border.post(
        "/api/v1/referrals/",
        {"case": case_id, "purpose": "reception", "to_unit": "ht-health_department", **body},
        format="json",
    )
    assert set(refused(response, 400, error)) == {"error", "detail"}


def test_unknown_or_invisible_referrals_are_404(border, case_id, api, people):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    outsider = api(people["lao_cai_steering"])
    for path in (f"{sent['id']}/", f"{sent['id']}/accept", "not-a-uuid/", f"{case_id}/accept/"):
        response = outsider.post if "accept" in path else outsider.get
        refused(response(f"/api/v1/referrals/{path}"), 404, "not_found")
    refused(outsider.get("/api/v1/supervision/timeliness/?period=2025-Q9"), 400, "invalid_period")


def test_a_later_rulebook_change_does_not_move_a_deadline_already_set(border, case_id, make_user):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    admin = make_user(None, "administrator", username="rules-admin")
    change_deadline(
        "law-2024",
        "initial_reception_verification",
        timedelta(days=1),
        actor=admin,
        citation="Test citation",
        reason="Test",
    )
    referral = Referral.objects.get(uuid=sent["id"])
    assert referral.due_at == datetime.fromisoformat(sent["due_at"])
    assert referral.due_at - referral.sent_at == timedelta(days=3)
    give_consent(border, case_id, "health_department", purpose="medical")
    again = refer(border, case_id, purpose="medical", step="initial_reception_verification")
    assert again["citation"] == "Test citation"


def test_the_receiving_units_supervisor_accepts_on_its_behalf(border, case_id, api, people):
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    accepted = act(api(people["social_supervisor"]), sent["id"], "accept", 200)
    assert accepted["to_unit"] == "ht-health_department"
    assert accepted["accepted_by"] == people["social_supervisor"].username
    assert CaseHolding.objects.get(basis="referral").unit.code == "ht-health_department"
    act(api(people["steering"]), sent["id"], "accept", 403, error="forbidden")


def test_the_receiving_unit_is_told_when_a_referral_arrives(border, case_id, people):
    from notifications.models import OutboxMessage

    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    told = set(OutboxMessage.objects.values_list("recipient__username", flat=True))
    assert {people["social"].username, people["social_supervisor"].username} <= told
    assert people["border"].username not in told
    message = OutboxMessage.objects.filter(recipient=people["social"]).get()
    assert sent["case_number"] in message.subject
    assert "Lò Văn Pó" not in message.subject + message.body


def test_a_supervisor_of_the_addressed_kind_routes_it_to_a_unit(
    border, case_id, api, people, make_unit
):
    from places.models import Province

    give_consent(border, case_id, "health_department")
    ha_tinh = Province.objects.get(code="42")
    sent = refer(border, case_id, to_unit=None, to_kind="health_department", to_province="42")
    shelter = make_unit("health_department", code="ht-social-centre", province=ha_tinh)
    route = f"/api/v1/referrals/{sent['id']}/route/"
    caseworker = api(people["social"])
    refused(caseworker.post(route, {"to_unit": shelter.code}, format="json"), 403, "forbidden")
    supervisor = api(people["social_supervisor"])
    refused(supervisor.post(route, {"to_unit": "ht-police"}, format="json"), 400, "wrong_unit")
    routed = supervisor.post(route, {"to_unit": shelter.code}, format="json")
    assert routed.status_code == 200 and routed.json()["to_unit"] == shelter.code
    again = supervisor.post(route, {"to_unit": shelter.code}, format="json")
    refused(again, 404, "not_found")  # routed away: no longer the supervisor's to see
