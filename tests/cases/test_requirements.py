"""cases.requirements called directly: the closure reason's cases and the typed reason.

tests/cases/test_transition_rules.py covers each transition through the service; these are the
branches it does not reach (a duplicate of itself or of nothing, an identification that found
a victim, a reason not given at all), checked without the API.
"""

import pytest
from django.utils import translation

from cases import services
from cases.requirements import CHECKS, missing_for
from tests.cast import cast_user, police_held_case

pytestmark = pytest.mark.django_db

CLOSURE = (
    "a closure reason (for 'not a victim', the verification or identification finding; "
    "for 'duplicate', the other case)"
)
closure_reason = CHECKS["closure_reason"][0]


@pytest.fixture
def case(demo_org):
    return police_held_case()


def test_a_reason_is_missing_when_none_is_given_at_all(case):
    with translation.override("en"):
        assert missing_for(case, "reopen") == ["a reason"]
        assert missing_for(case, "reopen", reason="  ") == ["a reason"]
        assert missing_for(case, "reopen", reason="New evidence") == []


def test_a_duplicate_needs_another_case(case):
    other = police_held_case()
    assert not closure_reason(case, closure_reason="duplicate")
    assert not closure_reason(case, closure_reason="duplicate", duplicate_of=None)
    assert not closure_reason(case, closure_reason="duplicate", duplicate_of=case)
    assert closure_reason(case, closure_reason="duplicate", duplicate_of=other)
    with translation.override("en"):
        assert missing_for(case, "close", closure_reason="duplicate", duplicate_of=case) == [
            CLOSURE
        ]
        assert missing_for(case, "close", closure_reason="duplicate", duplicate_of=other) == []


def test_not_a_victim_needs_an_identification_that_found_none(case):
    police = cast_user("demo-police")
    services.record_identification(
        police, case, is_victim=True, document_type="police_confirmation", document_number="PC-1"
    )
    assert not closure_reason(case, closure_reason="not_a_victim")
    services.record_identification(police, case, is_victim=False)
    assert closure_reason(case, closure_reason="not_a_victim")


def test_no_closure_reason_or_an_unknown_one_is_missing(case):
    assert not closure_reason(case)
    assert not closure_reason(case, closure_reason="bored")
    assert closure_reason(case, closure_reason="reintegrated")
