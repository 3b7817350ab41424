"""What a transition costs (issue 15): a fixed number of queries, for the lead unit's
caseworker and for a supervisor of the province, however often the case has moved; and its
answer is the case summary the serializer writes, though built without it."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.services import transition_case
from security.services import reencrypt_data_key
from tests.cast import INTAKE, api, drf_case_summary, move, open_case, police_held_case

pytestmark = pytest.mark.django_db

# Session, user with their unit (and for a supervisor the second factor's device), the case's
# lock with its lead unit and data key, whether the mover may see it (for a supervisor also
# their permission; a caseworker's is their unit's holding), the UPDATE, the stage change, the
# process's outbox row, the audit event, and the transaction.
QUERIES = {"caseworker": 11, "supervisor": 11}
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
        assert reads[0].endswith(
            'FOR NO KEY UPDATE OF "cases_case" FOR SHARE OF "security_datakey"'
        )
    assert moved.state == "closed" and Case.objects.get(pk=case.pk).version == moved.version


@pytest.mark.parametrize("misspelt", [{"reasons": "x"}, {"expected_versoin": 1}])
def test_a_misspelt_keyword_is_refused_and_changes_nothing(cast, misspelt):
    case = police_held_case()
    with pytest.raises(TypeError, match="unexpected keyword"):
        transition_case(cast.supervisor, case, "close", **CLOSE, **misspelt)
    assert Case.objects.get(pk=case.pk).state == case.state


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_key_is_locked_with_the_case_and_not_read_again(cast):
    """The stage change is encrypted under the case's data key, held from the case's locking
    read (FOR SHARE there): no query of its own, as there was on every transition (in a
    test's transaction the key stays noted as held, so the counts above cannot show it)."""
    case = police_held_case()
    with CaptureQueriesContext(connection) as captured:
        moved = transition_case(cast.supervisor, case, "close", **CLOSE)
    reads_of_the_key = [
        q["sql"] for q in captured.captured_queries if "security_datakey" in q["sql"]
    ]
    assert len(reads_of_the_key) == 1
    assert reads_of_the_key[0].startswith('SELECT "cases_case"')  # the case's locking read
    assert moved.state_changes.get().reason == ""  # written, and readable, under that key


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transition_that_waited_for_a_reencryption_goes_on_under_the_new_key(cast):
    case = police_held_case()
    locked = threading.Event()

    def reencrypt() -> None:
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)  # the transition waits
                locked.set()
                time.sleep(0.3)
                reencrypt_data_key(case.data_key)
        finally:
            connections.close_all()

    thread = threading.Thread(target=reencrypt)
    thread.start()
    locked.wait(5)
    moved = transition_case(cast.supervisor, case, "close", **CLOSE)
    thread.join()
    assert moved.data_key_id != case.data_key_id
    assert moved.state_changes.get().data_key_id == moved.data_key_id
