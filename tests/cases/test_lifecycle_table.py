"""How a row of cases.lifecycle.TRANSITIONS becomes a django-fsm transition of the Case model.

The model binds its transitions when it is imported; these tests call `CaseTransition.fsm()`
themselves, so that a changed binding is seen by a test (and by `make mutate`, whose mutants
only take effect in code called after the import). No database.
"""

import pytest
from django_fsm import RETURN_VALUE

from cases.lifecycle import OPEN_STATES, TRANSITIONS, CaseState
from cases.models import Case

ONWARD = {
    "start_verification": (["intake"], "verification"),
    "start_identification": (["verification", "rescue"], "identification"),
    "start_rescue": (["verification", "identification"], "rescue"),
    "start_protection": (["verification", "identification", "rescue"], "protection"),
    "start_support": (["identification", "protection"], "support"),
    "close": (
        ["intake", "verification", "identification", "rescue", "protection", "support"],
        "closed",
    ),
}


@pytest.mark.parametrize("name", sorted(ONWARD))
def test_a_transition_to_a_stage_binds_its_sources_and_target(name):
    rule = TRANSITIONS[name]
    sources, target = ONWARD[name]
    assert rule.fsm() == {"source": sources, "target": target, "custom": {"rule": rule}}


def test_reopening_returns_to_any_open_stage_chosen_by_the_method():
    rule = TRANSITIONS["reopen"]
    bound = rule.fsm()
    assert set(bound) == {"source", "target", "custom"}
    assert bound["source"] == ["closed"]
    assert bound["custom"] == {"rule": rule}
    assert isinstance(bound["target"], RETURN_VALUE)
    assert list(bound["target"].allowed_states) == list(OPEN_STATES)
    assert CaseState.CLOSED not in bound["target"].allowed_states


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_the_model_binds_each_row_as_the_table_says(name):
    """The model's bound transitions carry the row itself, from each of its sources."""
    bound = getattr(Case, name)._django_fsm.transitions
    rule = TRANSITIONS[name]
    assert sorted(bound) == sorted(rule.fsm()["source"])
    assert all(t.custom == rule.fsm()["custom"] for t in bound.values())
