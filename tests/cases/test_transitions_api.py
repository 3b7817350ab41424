"""The case state machine through the API: who may move a case, what must come first."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseHolding, StateChange
from tests.cast import move, open_case, record, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def border_guard(api, cast):
    return api(cast.border_guard)


def test_get_lists_the_transitions_the_caller_may_make_now(border_guard):
    case = open_case(border_guard)
    body = border_guard.get(f"/api/v1/cases/{case['id']}/transitions/").json()
    assert body["state"] == "intake"
    names = {t["name"]: t for t in body["transitions"]}
    assert set(names) == {"start_verification", "close"}
    assert names["start_verification"]["missing"] == ["a screening"]


def test_a_missing_record_is_named_and_nothing_changes(border_guard):
    case = open_case(border_guard)
    response = border_guard.post(
        f"/api/v1/cases/{case['id']}/transitions/",
        {"transition": "start_verification"},
        format="json",
    )
    refused(response, 400, "missing_records")
    assert "screening" in response.json()["detail"]
    assert Case.objects.get(uuid=case["id"]).state == "intake"
    assert StateChange.objects.count() == 0


def test_a_transition_not_allowed_from_the_current_stage_is_409(border_guard):
    case = open_case(border_guard)
    response = border_guard.post(
        f"/api/v1/cases/{case['id']}/transitions/", {"transition": "start_support"}, format="json"
    )
    refused(response, 409, "transition_not_allowed")


def test_unknown_transition_is_400(border_guard):
    case = open_case(border_guard)
    move(border_guard, case["id"], "fly_away", expect=400, error="unknown_transition")


def test_screening_then_verification(border_guard):
    case = open_case(border_guard)
    detail = record(
        border_guard,
        case["id"],
        "screenings",
        {"indicators": ["deception", "restriction_of_movement", "abuse_of_vulnerability"]},
    )
    assert detail["screenings"][0]["recommendation"] == "likely_victim"
    moved = move(border_guard, case["id"], "start_verification")
    assert moved["state"] == "verification"
    assert moved["version"] > case["version"]


def test_a_unit_that_does_not_hold_the_case_cannot_see_or_move_it(border_guard, api, cast):
    case = open_case(border_guard)
    police = api(cast.police)
    refused(police.get(f"/api/v1/cases/{case['id']}/"), 404, "not_found")
    response = police.post(
        f"/api/v1/cases/{case['id']}/transitions/", {"transition": "close"}, format="json"
    )
    refused(response, 404, "not_found")


def test_a_case_the_caller_cannot_see_is_404_whatever_the_version_they_send(
    border_guard, api, cast
):
    case = open_case(border_guard)
    police = api(cast.police)
    for version in (case["version"], case["version"] + 1):  # stale, and current
        response = police.post(
            f"/api/v1/cases/{case['id']}/transitions/",
            {
                "transition": "close",
                "closure_reason": "declined_support",
                "expected_version": version,
            },
            format="json",
        )
        refused(response, 404, "not_found")


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="rows are locked on PostgreSQL"
)
def test_a_supervisor_s_sight_of_the_case_is_read_under_its_lock(border_guard, api, cast):
    """Whether the supervisor may see (and so close) the case is read after the case row is
    locked, in its own statement: a change of sight committed while the mover waited for the
    lock counts."""
    case = open_case(border_guard)
    with CaptureQueriesContext(connection) as captured:
        move(api(cast.supervisor), case["id"], "close", closure_reason="declined_support")
    sqls = [query["sql"] for query in captured.captured_queries]
    lock = next(
        i for i, sql in enumerate(sqls) if "FOR NO KEY UPDATE" in sql and "cases_case" in sql
    )
    sight = [i for i, sql in enumerate(sqls) if "cases_caseholding" in sql and "EXISTS" in sql]
    assert sight and all(i > lock for i in sight), sqls


def test_a_holder_of_the_wrong_kind_may_not_move_the_stage(border_guard, api, cast):
    case = open_case(border_guard)
    record(border_guard, case["id"], "screenings", {"indicators": ["deception"]})
    move(border_guard, case["id"], "start_verification")
    justice = cast.justice
    CaseHolding.objects.create(
        case=Case.objects.get(uuid=case["id"]),
        unit=justice.unit,
        basis="referral",
        since="2025-09-14T10:00:00+07:00",
    )
    record(border_guard, case["id"], "verifications", {"outcome": "signs_of_trafficking"})
    response = api(justice).post(
        f"/api/v1/cases/{case['id']}/transitions/",
        {"transition": "start_identification"},
        format="json",
    )
    refused(response, 403, "forbidden")


def test_closing_needs_a_reason_and_reopening_returns_to_the_stage(border_guard, api, cast):
    case = open_case(border_guard)
    move(border_guard, case["id"], "close", expect=400, error="missing_records")
    move(
        border_guard,
        case["id"],
        "close",
        closure_reason="not_a_victim",
        expect=400,
        error="missing_records",
    )
    record(border_guard, case["id"], "screenings", {"indicators": []})
    move(border_guard, case["id"], "start_verification")
    record(border_guard, case["id"], "verifications", {"outcome": "not_trafficking"})
    closed = move(border_guard, case["id"], "close", closure_reason="not_a_victim")
    assert closed["state"] == "closed"
    move(border_guard, case["id"], "reopen", expect=400, error="missing_records")
    reopened = move(border_guard, case["id"], "reopen", reason="new evidence from the family")
    assert reopened["state"] == "verification"
    assert reopened["closure_reason"] == ""


def test_a_stale_version_is_refused_with_409(border_guard):
    case = open_case(border_guard)
    record(border_guard, case["id"], "screenings", {"indicators": ["deception"]})
    response = border_guard.post(
        f"/api/v1/cases/{case['id']}/transitions/",
        {"transition": "start_verification", "expected_version": case["version"]},
        format="json",
    )
    refused(response, 409, "stale")


def test_identification_needs_document_type_and_number(border_guard):
    case = open_case(border_guard)
    record(
        border_guard,
        case["id"],
        "identifications",
        {"is_victim": True},
        expect=400,
        error="invalid",
    )


def test_services_follow_eligibility_by_status(border_guard):
    case = open_case(border_guard)
    # Being identified in Viet Nam: items 1-7, so no vocational training yet.
    record(
        border_guard,
        case["id"],
        "services",
        {"kind": "vocational_training"},
        expect=400,
        error="not_eligible",
    )
    record(border_guard, case["id"], "services", {"kind": "medical"})
    record(
        border_guard,
        case["id"],
        "identifications",
        {"is_victim": True, "document_type": "certificate_of_return", "document_number": "GT-77"},
    )
    record(border_guard, case["id"], "services", {"kind": "vocational_training"})


def test_a_refused_protection_measure_needs_a_written_commitment(border_guard):
    case = open_case(border_guard)
    record(
        border_guard,
        case["id"],
        "protections",
        {"kind": "shelter", "refused": True},
        expect=400,
        error="invalid",
    )
    detail = record(border_guard, case["id"], "protections", {"kind": "shelter"})
    shelter = detail["protections"][0]
    assert shelter["ends_at"] is not None
    assert "162" in shelter["limit_citation"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_transitions_never_lose_an_update(api, cast):
    border_guard = api(cast.border_guard)
    case = open_case(border_guard)
    record(border_guard, case["id"], "screenings", {"indicators": ["deception"]})
    results = []

    def attempt():
        response = border_guard.post(
            f"/api/v1/cases/{case['id']}/transitions/",
            {"transition": "start_verification"},
            format="json",
        )
        results.append((response.status_code, response.json().get("error")))
        connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [(200, None)] + [(409, "transition_not_allowed")] * 7
    assert StateChange.objects.filter(case__uuid=case["id"]).count() == 1
