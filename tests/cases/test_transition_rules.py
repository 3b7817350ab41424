"""Every row of cases.lifecycle.TRANSITIONS, one test each for what it enforces.

For each transition: which records must exist first (400 missing_records naming them, nothing
changed) and who may make it (the agency kinds responsible under the case's rulebook, the lead
unit, supervisors). The expected names and users are written out here, independently of the
table, so that a changed row or a changed check turns a test red.
"""

import pytest
from django.utils import timezone, translation

from cases import services
from cases.models import Case, CaseHolding, StateChange
from cases.permissions import may_transition
from config.errors import InvalidInput, NotAllowed
from tests.cast import cast_user

pytestmark = pytest.mark.django_db

SCREENING = "a screening"
SIGNS = "a verification finding signs of trafficking, or a completed rescue"
RESCUE_REQUEST = "a rescue request"
PROTECTION = "a protection measure"
RESCUED = "the date of the rescue"
SERVICE = "a support service"
CLOSURE = (
    "a closure reason (for 'not a victim', the verification or identification finding; "
    "for 'duplicate', the other case)"
)
REASON = "a reason"

HOLDERS = ["demo-police", "demo-borderguard", "demo-social", "demo-justice", "demo-foreign"]
EVERYONE = [
    "demo-hotline",  # the lead unit (a hotline operator took the call)
    *HOLDERS,
    "demo-supervisor",  # Steering Committee of the case's province
    "demo-admin",
    "qt-police-caseworker",  # police, but its unit never holds the case
]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(demo_org):
    """A case received now (rulebook law-2024) that every unit of HOLDERS holds."""
    intake = services.IntakeData(
        channel="hotline",
        victim=services.PersonData(full_name="Người bị hại", province_id="n-lao-cai"),
    )
    case = services.create_intake(cast_user("demo-hotline"), intake).case
    for username in HOLDERS:
        CaseHolding.objects.create(
            case=case, unit=cast_user(username).unit, basis="referral", since=timezone.now()
        )
    assert case.rulebook == "law-2024"
    return case


def at_stage(case: Case, state: str) -> Case:
    Case.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


def police(case, kind: str, **options):
    user = cast_user("demo-police")
    return {
        "screening": lambda: services.record_screening(
            user, case, indicators=["deception"], purposes=[]
        ),
        "signs": lambda: services.record_verification(user, case, outcome="signs_of_trafficking"),
        "no_signs": lambda: services.record_verification(user, case, outcome="not_trafficking"),
        "rescue_request": lambda: services.request_rescue(user, case, country="CN"),
        "rescue_done": lambda: services.record_rescue_done(user, case),
        "protection": lambda: services.add_protection_measure(user, case, kind="safety_of_victim"),
        "service": lambda: services.request_service(user, case, kind="essential_needs"),
    }[kind]()


# transition, stage it starts from, records there already, what is missing, what to add,
# who makes it, options of transition_case.
REQUIREMENTS = [
    ("start_verification", "intake", [], [SCREENING], ["screening"], "demo-police", {}),
    ("start_identification", "verification", ["no_signs"], [SIGNS], ["signs"], "demo-police", {}),
    (
        "start_identification",
        "rescue",
        ["signs", "rescue_request"],
        [SIGNS],
        ["rescue_done"],
        "demo-police",
        {},
    ),
    ("start_rescue", "verification", [], [RESCUE_REQUEST], ["rescue_request"], "demo-police", {}),
    (
        "start_protection",
        "rescue",
        ["rescue_request"],
        [PROTECTION, RESCUED],
        ["protection", "rescue_done"],
        "demo-police",
        {},
    ),
    ("start_protection", "identification", [], [PROTECTION], ["protection"], "demo-police", {}),
    ("start_support", "protection", [], [SERVICE], ["service"], "demo-police", {}),
    ("close", "support", [], [CLOSURE], [], "demo-social", {"closure_reason": "reintegrated"}),
    (
        "close",
        "verification",
        ["signs"],
        [CLOSURE],
        ["no_signs"],
        "demo-police",
        {"closure_reason": "not_a_victim"},
    ),
    ("reopen", "closed", [], [REASON], [], "demo-supervisor", {"reason": "New evidence"}),
]


@pytest.mark.parametrize(
    ("name", "stage", "present", "missing", "add", "username", "options"),
    REQUIREMENTS,
    ids=[f"{row[0]}-from-{row[1]}" for row in REQUIREMENTS],
)
def test_each_transition_needs_its_records_first(
    case, name, stage, present, missing, add, username, options
):
    for kind in present:
        police(case, kind)
    at_stage(case, stage)
    user = cast_user(username)
    refused = {k: v for k, v in options.items() if k == "closure_reason" and v != "reintegrated"}
    with pytest.raises(InvalidInput) as refusal:
        services.transition_case(user, case, name, **refused)
    assert refusal.value.code == "missing_records"
    assert refusal.value.detail == f"Record first: {', '.join(missing)}."
    case.refresh_from_db()
    assert case.state == stage and not StateChange.objects.filter(case=case).exists()
    for kind in add:
        police(case, kind)
    services.transition_case(user, case, name, **options)
    case.refresh_from_db()
    assert case.state != stage
    assert StateChange.objects.get(case=case).transition == name


# transition, the stage it starts from, the users (all holding the case but the last) who may
# make it under law-2024: the kinds responsible for the stage left and, moving onward, the
# stage entered; at intake any holder; closing also the lead unit and supervisors; reopening
# only the lead unit and supervisors.
ACTORS = [
    ("start_verification", "intake", {"demo-hotline", *HOLDERS}),
    (
        "start_identification",
        "verification",
        {"demo-police", "demo-borderguard", "demo-social", "demo-foreign"},
    ),
    ("start_identification", "rescue", {"demo-police", "demo-borderguard", "demo-foreign"}),
    (
        "start_rescue",
        "verification",
        {"demo-police", "demo-borderguard", "demo-social", "demo-foreign"},
    ),
    ("start_rescue", "identification", {"demo-police", "demo-borderguard", "demo-foreign"}),
    (
        "start_protection",
        "identification",
        {"demo-police", "demo-borderguard", "demo-social", "demo-foreign"},
    ),
    (
        "start_protection",
        "rescue",
        {"demo-police", "demo-borderguard", "demo-social", "demo-foreign"},
    ),
    (
        "start_support",
        "protection",
        {"demo-police", "demo-borderguard", "demo-social", "demo-justice"},
    ),
    (
        "start_support",
        "identification",
        {"demo-police", "demo-borderguard", "demo-social", "demo-justice", "demo-foreign"},
    ),
    ("close", "intake", {"demo-hotline", *HOLDERS, "demo-supervisor"}),
    ("close", "support", {"demo-hotline", "demo-social", "demo-justice", "demo-supervisor"}),
    (
        "close",
        "verification",
        {"demo-hotline", "demo-police", "demo-borderguard", "demo-social", "demo-supervisor"},
    ),
    ("reopen", "closed", {"demo-hotline", "demo-supervisor"}),
]


@pytest.mark.parametrize(
    ("name", "stage", "allowed"), ACTORS, ids=[f"{row[0]}-from-{row[1]}" for row in ACTORS]
)
def test_each_transition_is_made_only_by_its_actors(case, name, stage, allowed):
    at_stage(case, stage)
    may = {username for username in EVERYONE if may_transition(cast_user(username), case, name)}
    assert may == allowed


@pytest.mark.parametrize(
    ("name", "stage", "username"),
    [
        ("start_identification", "verification", "demo-justice"),
        ("start_support", "protection", "demo-foreign"),
        ("close", "support", "demo-police"),
        ("reopen", "closed", "demo-social"),
        ("start_verification", "intake", "qt-police-caseworker"),
    ],
)
def test_the_service_refuses_a_wrong_actor_with_its_records_present(case, name, stage, username):
    for kind in ("screening", "signs", "rescue_request", "rescue_done", "protection", "service"):
        police(case, kind)
    at_stage(case, stage)
    with pytest.raises(NotAllowed):
        services.transition_case(
            cast_user(username), case, name, reason="Because", closure_reason="reintegrated"
        )
    case.refresh_from_db()
    assert case.state == stage


def test_the_rulebook_of_the_case_decides_who_is_responsible(case):
    """Under qcph-2548 (received before 2025-07-01) social protection was MOLISA/DOLISA, not
    the health department: the health department may not move the case on from verification."""
    Case.objects.filter(pk=case.pk).update(rulebook="qcph-2548")
    at_stage(case, "verification")
    assert not may_transition(cast_user("demo-social"), case, "start_rescue")
    assert may_transition(cast_user("demo-police"), case, "start_rescue")
