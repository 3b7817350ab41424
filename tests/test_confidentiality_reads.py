"""Who reads what of a case, at the edges (issue 9, points 3, 5 and 6).

Medical and psychological records only to those who need them; hotline operators only the
intakes they took, until the case is handed over and a short while after; a supervisor never
reads a case without a typed reason, and every read leaves a trace.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role, Unit
from agencies.services import create_user
from cases.models import Case, CaseHolding
from security.models import AuditEvent
from tests.cast import INTAKE, open_case, record, refused

pytestmark = pytest.mark.django_db


def _hold(case_id: str, unit_code: str) -> None:
    case = Case.objects.get(uuid=case_id)
    CaseHolding.objects.create(
        case=case, unit=Unit.objects.get(code=unit_code), basis="referral", since=timezone.now()
    )


@pytest.fixture
def shared_case(api, cast) -> str:
    """A case held by Border Guard, Police and social protection, with psychological support
    and essential needs provided by social protection."""
    case_id = open_case(api(cast.border_guard))["id"]
    _hold(case_id, "lc-police")
    _hold(case_id, "lc-health_department")
    social = api(cast.social)
    record(social, case_id, "services", {"kind": "psychological"})
    record(social, case_id, "services", {"kind": "essential_needs"})
    return case_id


def _kinds(client, case_id: str) -> tuple[set[str], str]:
    detail = client.get(f"/api/v1/cases/{case_id}/").json()
    timeline = client.get(f"/api/v1/cases/{case_id}/timeline/").content.decode()
    return {s["kind"] for s in detail["services"]}, timeline


def test_police_never_see_psychological_support(api, cast, shared_case):
    kinds, timeline = _kinds(api(cast.police), shared_case)
    assert kinds == {"essential_needs"}
    assert "psychological" not in timeline and "essential_needs" in timeline


def test_social_protection_sees_the_support_it_gives(api, cast, shared_case):
    kinds, timeline = _kinds(api(cast.social), shared_case)
    assert kinds == {"essential_needs", "psychological"}
    assert "psychological" in timeline


def test_a_referral_for_psychological_care_is_hidden_from_the_police(api, cast, shared_case):
    social = api(cast.social)
    record(
        social,
        shared_case,
        "consents",
        {"recipient_kind": "labour_social", "purpose": "psychological", "status": "given"},
    )
    sent = social.post(
        "/api/v1/referrals/",
        {"case": shared_case, "to_unit": "lc-labour_social", "purpose": "psychological"},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    police = api(cast.police)
    listed = police.get("/api/v1/referrals/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert all(row["purpose"] != "psychological" for row in rows)
    refused(police.get(f"/api/v1/referrals/{sent.json()['id']}/"), 404, "not_found")
    assert social.get(f"/api/v1/referrals/{sent.json()['id']}/").status_code == 200


@pytest.fixture
def operators(cast):
    first = cast.hotline
    second = create_user(
        username="hotline-2", password="x-Test-pass-42", role=Role.HOTLINE_OPERATOR, unit=first.unit
    )
    return first, second


def _hotline_intake(client) -> str:
    body = {**INTAKE, "channel": "hotline", "received_at": timezone.now().isoformat()}
    return open_case(client, body)["id"]


def _listed(client) -> set[str]:
    return {row["id"] for row in client.get("/api/v1/cases/").json()["results"]}


def test_an_operator_sees_only_the_intakes_they_took(api, operators):
    first, second = (api(user) for user in operators)
    mine = _hotline_intake(first)
    assert mine in _listed(first)
    assert mine not in _listed(second)
    refused(second.get(f"/api/v1/cases/{mine}/"), 404, "not_found")
    assert AuditEvent.objects.filter(action="access.refused", actor_id=operators[1].pk).exists()


def test_the_hotline_hands_over_and_the_operator_loses_sight_after_the_window(
    api, cast, operators, settings
):
    operator = api(operators[0])
    case_id = _hotline_intake(operator)
    record(
        operator,
        case_id,
        "consents",
        {"recipient_kind": "police", "purpose": "verification", "status": "given"},
    )
    referral = operator.post(
        "/api/v1/referrals/",
        {"case": case_id, "to_unit": "lc-police", "purpose": "verification"},
        format="json",
    ).json()
    police = api(cast.police)
    assert police.post(f"/api/v1/referrals/{referral['id']}/accept").status_code == 200

    case = Case.objects.get(uuid=case_id)
    assert case.lead_unit.code == "lc-police"  # the hotline keeps no case
    hotline_hold = case.holdings.get(unit=operators[0].unit)
    assert hotline_hold.until is not None
    assert case_id in _listed(operator)  # still within the window, for a call back

    settings.LOIVE_OPERATOR_SIGHT_AFTER_HANDOVER = timedelta(0)
    CaseHolding.objects.filter(pk=hotline_hold.pk).update(until=timezone.now() - timedelta(1))
    assert case_id not in _listed(operator)
    refused(operator.get(f"/api/v1/cases/{case_id}/"), 404, "not_found")


def test_every_read_of_a_case_is_audited_with_what_it_showed(api, cast, shared_case):
    police = cast.police
    api(police).get(f"/api/v1/cases/{shared_case}/")
    event = AuditEvent.objects.filter(actor_id=police.pk, action="identity.read").get()
    assert "identity" in event.details["groups"]
    # A unit that may see no protected field group leaves a trace too, of an empty read.
    unit = Unit.objects.get(code="lc-steering_committee")
    CaseHolding.objects.create(
        case=Case.objects.get(uuid=shared_case), unit=unit, basis="referral", since=timezone.now()
    )
    caseworker = create_user(
        username="sc-caseworker", password="x-Test-pass-42", role=Role.CASEWORKER, unit=unit
    )
    assert api(caseworker).get(f"/api/v1/cases/{shared_case}/").status_code == 200
    empty = AuditEvent.objects.filter(actor_id=caseworker.pk, action="case.read").get()
    assert empty.details["groups"] == []
