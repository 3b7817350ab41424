"""What a transition costs (issue 15): a fixed number of queries, for the lead unit's
caseworker and for a supervisor of the province, however often the case has moved; and its
answer is the case summary the serializer writes, though built without it."""

import pytest

from cases.models import Case
from tests.cast import INTAKE, api, drf_case_summary, move, open_case

pytestmark = pytest.mark.django_db

# Session, user (and for a supervisor the second factor's device and the provinces they
# supervise), the case's lock, whether the mover may see it (for a supervisor also their
# permission; a caseworker's is their unit's holding), the data key, the UPDATE, the stage
# change, the process's outbox row, the audit event, and the transaction.
MAX_QUERIES = {"caseworker": 12, "supervisor": 14}
CLOSE = {"closure_reason": "declined_support"}
REOPEN = {"reason": "The victim asked for support again"}


def _summary(case_id: str) -> dict:
    case = Case.objects.select_related("lead_unit").get(uuid=case_id)
    return drf_case_summary(case)


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_a_transition_costs_a_fixed_number_of_queries(cast, who, django_assert_max_num_queries):
    police = api(cast.police)
    case = open_case(police, {**INTAKE, "channel": "police_report"})["id"]
    mover = police if who == "caseworker" else api(cast.supervisor)
    move(mover, case, "close", **CLOSE)  # warm: content types, the year's rulebook
    move(mover, case, "reopen", **REOPEN)
    for _ in range(2):
        with django_assert_max_num_queries(MAX_QUERIES[who]):
            move(mover, case, "close", **CLOSE)
        with django_assert_max_num_queries(MAX_QUERIES[who]):
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
