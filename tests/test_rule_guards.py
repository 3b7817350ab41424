"""Rules the engine enforces that once had no test able to see them broken (issue 14):
idempotent replay scoped to the user, the presumed-minor boundaries, the identity-read audit
for every role, the service-level consent check, the rulebook chosen by the date received."""

import datetime

import pytest
from django.utils import timezone, translation

from agencies.models import Role
from agencies.services import create_user
from cases.minors import AgeEvidence, PresumedMinorRule
from cases.models import Case, CaseHolding, Intake, Person
from config.errors import InvalidInput
from referrals import services as referral_services
from referrals.models import Referral
from security.models import AuditEvent
from tests.cast import open_case

pytestmark = pytest.mark.django_db


# --- idempotent replay, per user ------------------------------------------------------------


def _intake(name: str) -> dict:
    return {"channel": "hotline", "victim": {"full_name": name, "province": "n-lao-cai"}}


def test_an_idempotency_key_replays_only_for_the_user_who_sent_it(api, cast):
    first = api(cast.named("demo-hotline"))
    second = api(cast.named("hotline-111-hotline_operator"))
    created = first.post(
        "/api/v1/intakes/", _intake("Người A"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert created.status_code == 201
    other = second.post(
        "/api/v1/intakes/", _intake("Người B"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert other.json()["intake"] != created.json()["intake"]
    assert other.json()["case"]["id"] != created.json()["case"]["id"]
    names = {p.case.uuid.hex: p.full_name for p in Person.objects.select_related("case")}
    assert sorted(names.values()) == ["Người A", "Người B"]
    again = first.post(
        "/api/v1/intakes/", _intake("Người A"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"  # as first answered
    assert again.json()["intake"] == created.json()["intake"]
    assert Intake.objects.count() == 2 and Case.objects.count() == 2


# --- presumed minor -------------------------------------------------------------------------

RULE = PresumedMinorRule(18, "Law on Children 102/2016/QH13 Art. 1")


@pytest.mark.parametrize(
    ("evidence", "minor"),
    [
        (AgeEvidence(stated_age=17), True),
        (AgeEvidence(stated_age=18), False),  # 18 is not under 18
        (AgeEvidence(stated_age=19, assessed_min=17, assessed_max=20), True),  # the lowest
        (AgeEvidence(stated_age=17, assessed_min=19, assessed_max=22), True),  # the lowest
        (AgeEvidence(stated_age=20, assessed_min=18, assessed_max=25), False),
        (AgeEvidence(assessed_min=17, assessed_max=19), True),
        (AgeEvidence(assessed_min=18, assessed_max=30), False),
        (AgeEvidence(established_age=18, stated_age=16), False),  # established counts
        (AgeEvidence(established_age=17, stated_age=25), True),
        (AgeEvidence(childhood_indicators=True), True),  # unknown age, signs of a child
        (AgeEvidence(), False),
        (AgeEvidence(stated_age=19, childhood_indicators=True), False),
    ],
)
def test_presumed_minor_takes_the_lowest_age_and_18_is_an_adult(evidence, minor):
    assert RULE.applies(evidence) is minor


@pytest.mark.parametrize(
    ("victim", "minor"),
    [
        ({"stated_age": 18}, False),
        ({"stated_age": 17}, True),
        ({"stated_age": 19, "assessed_min_age": 17, "assessed_max_age": 21}, True),
        ({"stated_age": 17, "assessed_min_age": 19, "assessed_max_age": 21}, True),
    ],
)
def test_an_intake_marks_a_presumed_minor_from_the_lowest_age(api, cast, victim, minor):
    client = api(cast.named("demo-police"))
    case = open_case(client, {"channel": "hotline", "victim": {"full_name": "Vàng A", **victim}})
    assert case["presumed_minor"] is minor


# --- every read of identity is audited, whoever reads -----------------------------------------

HOLDERS = ["demo-police", "demo-borderguard", "demo-social", "demo-justice", "demo-foreign"]


@pytest.fixture
def held_case(api, cast):
    """A case the hotline took and every unit of HOLDERS holds."""
    case = open_case(api(cast.named("demo-hotline")), _intake("Người bị hại"))
    stored = Case.objects.get(uuid=case["id"])
    for username in HOLDERS:
        CaseHolding.objects.create(
            case=stored, unit=cast.named(username).unit, basis="referral", since=timezone.now()
        )
    return stored


def _last_event_id() -> int:
    """Events are numbered in the chain only once sealed: count new ones by their row id."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("username", ["demo-hotline", *HOLDERS, "demo-supervisor"])
def test_every_role_reading_identity_leaves_an_identity_read_event(api, cast, held_case, username):
    user = cast.named(username)
    client = api(user)  # signing a supervisor in (two factors) is audited too: before counting
    before = _last_event_id()
    response = client.get(f"/api/v1/cases/{held_case.uuid}/?reason=Court+order+12")
    assert response.status_code == 200
    victim = next(p for p in response.json()["people"] if p["role"] == "victim")
    assert victim["full_name"] == "Người bị hại"
    events = list(AuditEvent.objects.filter(id__gt=before))
    assert [e.action for e in events] == ["identity.read"]
    event = events[0]
    assert (event.actor_username, event.actor_unit_id) == (user.username, user.unit_id)
    assert event.case_uuid == held_case.uuid and "identity" in event.details["groups"]
    assert event.details["supervisor"] is (username == "demo-supervisor")


def test_a_read_without_identity_is_audited_as_a_case_read(api, cast, held_case):
    """A caseworker of a holding unit whose kind needs no identity (the hotline)."""
    user = create_user(
        username="hotline-caseworker",
        password="x-Test-pass-42",
        role=Role.CASEWORKER,
        unit=cast.named("demo-hotline").unit,
    )
    client = api(user)
    before = _last_event_id()
    assert client.get(f"/api/v1/cases/{held_case.uuid}/").status_code == 200
    actions = AuditEvent.objects.filter(id__gt=before).values_list("action", flat=True)
    assert list(actions) == ["case.read"]


# --- sharing needs consent or a legal basis, checked by the service -------------------------


def test_a_referral_without_consent_or_legal_basis_is_a_domain_error(cast, held_case):
    police = cast.named("demo-police")
    with translation.override("en"), pytest.raises(InvalidInput) as refusal:
        referral_services.send_referral(
            police, held_case, purpose="reception", to_unit=cast.named("demo-justice").unit
        )
    assert refusal.value.code == "no_consent"
    assert not Referral.objects.exists()


# --- the rulebook of the day the case was received --------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "rulebook"),
    [
        ("2025-06-30T23:59:00+07:00", "qcph-2548"),
        ("2025-06-30T17:30:00+00:00", "law-2024"),  # 00:30 on 1 July in Viet Nam
        ("2025-07-01T00:30:00+07:00", "law-2024"),
        ("2024-03-01T09:00:00+07:00", "qcph-2548"),
    ],
)
def test_the_rulebook_is_the_one_in_force_when_the_case_was_received(
    api, cast, received_at, rulebook
):
    client = api(cast.named("demo-police"))
    case = open_case(client, {**_intake("Người C"), "received_at": received_at})
    assert case["rulebook"] == rulebook
    assert Case.objects.get(uuid=case["id"]).received_at == datetime.datetime.fromisoformat(
        received_at
    )
