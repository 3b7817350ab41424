"""cases.permissions called directly: the answers and refusals the API and pages are built on.

tests/cases/test_transition_rules.py covers who may make each transition from each stage;
these cover the rest of the module: its refusals word for word (code and message), the
`holds` shortcut, inactive and unit-less users, supervisors of the province, the transitions
offered with what they still need, and who may add records. No API.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from agencies.models import Role
from cases.models import Case, CaseHolding, HoldingEnd
from cases.permissions import (
    available_transitions,
    may_add_records,
    may_transition,
    require_holder,
    require_transition_actor,
    transition_choices,
    transition_rule,
)
from config.errors import Conflict, InvalidInput, NotAllowed
from tests.cast import cast_user, police_held_case

pytestmark = pytest.mark.django_db

SCREENING = "a screening"
CLOSURE = (
    "a closure reason (for 'not a victim', the verification or identification finding; "
    "for 'duplicate', the other case)"
)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def _at_stage(case: Case, state: str) -> Case:
    Case.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


@pytest.fixture
def case(demo_org) -> Case:
    """Taken by demo-hotline (the lead unit) in Lào Cai; the police hold it too."""
    return police_held_case()


def test_an_unknown_transition_is_invalid_input_naming_it(case):
    with pytest.raises(InvalidInput) as refused:
        transition_rule(case, "fly_away")
    assert refused.value.code == "unknown_transition"
    assert refused.value.detail == "Unknown transition: fly_away."


def test_a_transition_from_another_stage_is_a_conflict_naming_both(case):
    with pytest.raises(Conflict) as refused:
        transition_rule(case, "start_support")
    assert refused.value.code == "transition_not_allowed"
    assert refused.value.detail == (
        "The transition start_support is not allowed from the stage Intake."
    )
    assert transition_rule(case, "start_verification").name == "start_verification"


def test_an_inactive_user_or_one_without_a_unit_may_not_transition(case):
    police = cast_user("demo-police")
    assert may_transition(police, case, "start_verification")
    police.is_active = False
    assert not may_transition(police, case, "start_verification")
    assert not may_transition(police, case, "start_verification", holds=True)
    police = cast_user("demo-police")
    police.unit_id = None
    assert not may_transition(police, case, "start_verification", holds=True)


def test_the_callers_knowledge_of_the_hold_is_taken_as_given(case):
    police, justice = cast_user("demo-police"), cast_user("demo-justice")
    assert not may_transition(police, case, "start_verification", holds=False)
    assert may_transition(police, case, "start_verification", holds=True)
    assert not may_transition(justice, case, "start_verification")
    assert may_transition(justice, case, "start_verification", holds=True)


def test_an_ended_hold_is_not_a_hold(case):
    police = cast_user("demo-police")
    CaseHolding.objects.filter(case=case, unit=police.unit).update(
        **CaseHolding.ending(HoldingEnd.COMPLETED, timezone.now())
    )
    assert not may_transition(police, case, "start_verification")
    assert not may_add_records(police, case)


def test_a_supervisor_closes_cases_of_the_province_but_moves_no_stage(case, make_user):
    supervisor = cast_user("demo-supervisor")
    assert may_transition(supervisor, case, "close")
    assert not may_transition(supervisor, case, "start_verification")
    assert not may_transition(supervisor, case, "start_verification", holds=True)
    assert may_transition(supervisor, case, "close", holds=True)
    elsewhere = make_user(cast_user("qt-police-caseworker").unit, Role.SUPERVISOR, "qt-supervisor")
    assert not may_transition(elsewhere, case, "close")
    assert may_transition(elsewhere, case, "close", holds=True)


def test_only_caseworkers_and_operators_make_transitions(case, make_user):
    integration = make_user(cast_user("demo-police").unit, Role.INTEGRATION, "police-integration")
    assert not may_transition(integration, case, "start_verification", holds=True)
    assert not may_transition(cast_user("demo-admin"), case, "close", holds=True)


def test_the_lead_unit_reopens_and_closes_whatever_the_stage(case):
    hotline, police = cast_user("demo-hotline"), cast_user("demo-police")
    _at_stage(case, "support")
    assert may_transition(hotline, case, "close")
    assert not may_transition(hotline, case, "start_support")
    _at_stage(case, "closed")
    assert may_transition(hotline, case, "reopen")
    assert not may_transition(police, case, "reopen")


def test_a_responsible_kind_of_the_stage_entered_counts_except_on_closing(case):
    """Justice is responsible for support only: it may move a case into support, and close
    it from support, but not close it from protection."""
    justice = cast_user("demo-justice")
    _at_stage(case, "protection")
    assert may_transition(justice, case, "start_support", holds=True)
    assert not may_transition(justice, case, "close", holds=True)
    _at_stage(case, "support")
    assert may_transition(justice, case, "close", holds=True)


def test_a_wrong_actor_is_refused_naming_the_transition(case):
    with pytest.raises(NotAllowed) as refused:
        require_transition_actor(cast_user("demo-justice"), case, "start_verification")
    assert refused.value.detail == (
        "Your unit may not make the transition start_verification on this case."
    )
    require_transition_actor(cast_user("demo-police"), case, "start_verification")


def test_records_are_added_by_caseworkers_and_operators_of_a_holding_unit(case):
    require_holder(cast_user("demo-police"), case)
    require_holder(cast_user("demo-hotline"), case)
    assert may_add_records(cast_user("demo-police"), case)
    assert may_add_records(cast_user("demo-hotline"), case)
    with pytest.raises(NotAllowed) as refused:
        require_holder(cast_user("demo-supervisor"), case)
    assert refused.value.detail == "Only caseworkers of a unit holding the case may add records."
    assert not may_add_records(cast_user("demo-supervisor"), case)
    with pytest.raises(NotAllowed) as refused:
        require_holder(cast_user("demo-justice"), case)
    assert refused.value.detail == "Your unit does not hold this case."
    assert not may_add_records(cast_user("demo-justice"), case)


def test_the_transitions_offered_are_those_the_user_may_make_with_what_they_need(case):
    police = cast_user("demo-police")
    assert available_transitions(police, case) == ["close", "start_verification"]
    assert transition_choices(police, case) == [
        {"name": "close", "label": "Close the case", "missing": [CLOSURE]},
        {"name": "start_verification", "label": "Start verification", "missing": [SCREENING]},
    ]
    assert available_transitions(cast_user("demo-supervisor"), case) == ["close"]
    assert available_transitions(cast_user("demo-justice"), case) == []
    assert transition_choices(cast_user("demo-justice"), case) == []


def test_the_hold_is_looked_up_once_for_every_transition_offered(case):
    """Whether the unit holds the case is asked once, not once per transition: the case
    page lists the transitions of every case it shows."""
    police = cast_user("demo-police")
    with CaptureQueriesContext(connection) as queries:
        assert available_transitions(police, case) == ["close", "start_verification"]
    holding_lookups = [q for q in queries.captured_queries if "cases_caseholding" in q["sql"]]
    assert len(holding_lookups) == 1
