"""What a transition costs (issue 15): a fixed number of queries, for the lead unit's
caseworker and for a supervisor of the province, however often the case has moved; and its
answer is the case summary the serializer writes, though built without it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.services import transition_case
from tests.cast import INTAKE, api, drf_case_summary, move, open_case, police_held_case

pytestmark = pytest.mark.django_db

# Session, user (and for a supervisor the second factor's device), the case's lock with its
# lead unit, whether the mover may see it (for a supervisor also their permission; a
# caseworker's is their unit's holding), the data key, the UPDATE, the stage change, the
# process's outbox row, the audit event, and the transaction.
QUERIES = {"caseworker": 12, "supervisor": 12}
CLOSE = {"closure_reason": "declined_support"}
REOPEN = {"reason": "The victim asked for support again"}


def _summary(case_id: str) -> dict:
    case = Case.objects.select_related("lead_unit").get(uuid=case_id)
    return drf_case_summary(case)


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_a_transition_costs_a_fixed_number_of_queries(cast, who, django_assert_num_queries):
    police = api(cast.police)
    case = open_case(police, {**INTAKE, "channel": "police_report"})["id"]
    mover = police if who == "caseworker" else api(cast.supervisor)
    move(mover, case, "close", **CLOSE)  # warm: content types, the year's rulebook
    move(mover, case, "reopen", **REOPEN)
    for _ in range(2):
        with django_assert_num_queries(QUERIES[who]):
            move(mover, case, "close", **CLOSE)
        with django_assert_num_queries(QUERIES[who]):
            move(mover, case, "reopen", **REOPEN)


def test_the_answers_of_intake_and_transition_are_the_summary_serializer_s(cast):
    police = api(cast.police)
    taken = police.post("/api/v1/intakes/", INTAKE, format="json").json()
    assert taken["case"] == _summary(taken["case"]["id"])
    closed = move(police, taken["case"]["id"], "close", **CLOSE)
    assert closed == _summary(closed["id"])
    assert closed["closure_reason"] == "declined_support"
    reopened = move(police, closed["id"], "reopen", **REOPEN)
    assert reopened == _summary(reopened["id"])


def test_the_case_is_locked_and_read_with_its_lead_unit_in_one_query(
    cast, django_assert_num_queries
):
    case = police_held_case()
    lead = case.lead_unit
    with CaptureQueriesContext(connection) as captured:
        moved = transition_case(cast.supervisor, case, "close", **CLOSE)
    with django_assert_num_queries(0):
        assert (moved.lead_unit.pk, moved.lead_unit.code) == (lead.pk, lead.code)
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert 'JOIN "agencies_unit"' in reads[0]
    if connection.features.has_select_for_update_of:
        assert reads[0].endswith('FOR NO KEY UPDATE OF "cases_case"')
    assert moved.state == "closed" and Case.objects.get(pk=case.pk).version == moved.version


@pytest.mark.parametrize("misspelt", [{"reasons": "x"}, {"expected_versoin": 1}])
def test_a_misspelt_keyword_is_refused_and_changes_nothing(cast, misspelt):
    case = police_held_case()
    with pytest.raises(TypeError, match="unexpected keyword"):
        transition_case(cast.supervisor, case, "close", **CLOSE, **misspelt)
    assert Case.objects.get(pk=case.pk).state == case.state
