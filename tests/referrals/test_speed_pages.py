"""The supervisor's and caseworker's lists cost a fixed number of queries however long they
are, and the overdue list is read a page at a time (keyset, issue 15)."""

import weakref
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from places.models import VIETNAM_TZ
from referrals.models import Referral
from referrals.selectors import consent_withdrawn, get_visible_referral
from referrals.serializers import ReferralSerializer
from referrals.services import sweep_overdue
from supervision import selectors
from supervision.api import OverdueSerializer
from tests.cast import (
    drf_referral,
    drf_writes,
    open_case,
    refused,
    serve,
    without_collections,
)

from .conftest import RETURNEE, give_consent, refer
from .test_scenario_overdue_handoff import backdate

pytestmark = pytest.mark.django_db

OVERDUE = "/api/v1/supervision/overdue/"
SENT = datetime(2025, 12, 1, 9, 0, tzinfo=VIETNAM_TZ)


def _overdue_referrals(border, count: int) -> list[str]:
    """`count` cases, each with a referral sent a day apart and long past its deadline."""
    ids = []
    for n in range(count):
        case_id = open_case(border, RETURNEE)["id"]
        give_consent(border, case_id, "health_department")
        ids.append(str(backdate(refer(border, case_id)["id"], SENT + timedelta(days=n)).uuid))
    return ids


def test_overdue_list_is_read_a_page_at_a_time(api, people, border):
    sent = _overdue_referrals(border, 3)
    steering = api(people["steering"])

    first = steering.get(f"{OVERDUE}?limit=2")
    assert [row["referral"]["id"] for row in first.json()] == sent[:2]
    link = first["Link"]
    assert link.endswith('>; rel="next"') and f"after={sent[1]}" in link
    rest = steering.get(link[1 : link.index(">")])
    assert [row["referral"]["id"] for row in rest.json()] == sent[2:]
    assert "Link" not in rest

    assert [row["referral"]["id"] for row in steering.get(OVERDUE).json()] == sent
    page = steering.get("/supervision/overdue/")  # the web page: all of them, no next link
    assert page.status_code == 200 and "?after=" not in page.content.decode()


def test_an_overdue_page_is_freed_once_served_without_a_collection(
    api, people, border, monkeypatch
):
    """The page's rows held by the list serializer, tied to its child serializer in a
    reference cycle, go with the response (config.runtime.ReleaseResponseMiddleware): left
    to the collector, each page's made the p95 (issue 15)."""
    _overdue_referrals(border, 2)
    read = selectors.overdue_page
    rows = []

    def reading(*args, **kwargs):
        page = read(*args, **kwargs)
        rows.extend(weakref.ref(row["referral"]["uuid"]) for row in page)
        return page

    monkeypatch.setattr(selectors, "overdue_page", reading)
    with without_collections():
        serve(api(people["steering"]), OVERDUE)
        assert len(rows) == 2 and [row() for row in rows] == [None, None]


def test_overdue_page_refuses_bad_paging(api, people, border):
    sent = _overdue_referrals(border, 1)
    steering = api(people["steering"])
    refused(steering.get(f"{OVERDUE}?limit=0"), 400, "invalid")
    refused(steering.get(f"{OVERDUE}?after=nonsense"), 400, "invalid")
    # A referral the supervisor may not see cannot be a cursor (nor leak that it exists).
    outsider = api(people["lao_cai_steering"])
    refused(outsider.get(f"{OVERDUE}?after={sent[0]}"), 400, "invalid")


def test_lists_cost_the_same_queries_for_one_row_or_many(
    api, people, border, django_assert_max_num_queries
):
    steering = api(people["steering"])
    _overdue_referrals(border, 1)
    for path in (OVERDUE, "/api/v1/cases/"):
        steering.get(path)  # warm: sessions, content types, translations
    # The overdue page: the signed-in user (session, user, second factor, unit, supervised
    # provinces), its referrals as columns, their data keys and their escalations.
    with django_assert_max_num_queries(8):
        assert len(steering.get(OVERDUE).json()) == 1
    with django_assert_max_num_queries(8):
        assert border.get("/api/v1/cases/").json()["count"] == 1

    _overdue_referrals(border, 3)
    with django_assert_max_num_queries(8):
        assert len(steering.get(OVERDUE).json()) == 4
    with django_assert_max_num_queries(8):
        assert border.get("/api/v1/cases/").json()["count"] == 4


def _drf_overdue(referral: Referral, now: datetime) -> dict:
    """OverdueSerializer's fields as DRF writes them for a referral loaded as a model, every
    value read from the model (not from the columns the API reads)."""
    levels = referral.escalations.order_by("created_at", "id").values_list("level", flat=True)
    row = {
        "waiting_seconds": int((now - referral.sent_at).total_seconds()),
        "overdue_seconds": int((now - referral.due_at).total_seconds()),
        "held_by": referral.from_unit.code,
        "awaited": referral.to_unit.code if referral.to_unit else None,
        "escalations": list(levels),
        "consent_withdrawn": consent_withdrawn(referral),
    }
    return drf_writes(OverdueSerializer, row, referral=drf_referral(referral))


def _on_a_legal_basis(border, sent_at: datetime) -> Referral:
    """A referral of a new case sent on a legal basis, with a justification, long overdue."""
    case_id = open_case(border, RETURNEE)["id"]
    sent = refer(border, case_id, legal_basis="notify-social-protection", justification="Duty")
    return backdate(sent["id"], sent_at)


def test_overdue_rows_are_what_drf_writes_for_the_referrals(api, people, border):
    """The API reads the page as columns and writes it field by field (summary_columns,
    referral_rows), not through OverdueSerializer: every field must still come out as DRF
    writes it from the referral as a model, for referrals escalated, sent on a legal basis with
    a justification (decrypted), whose consent was withdrawn since, and of a case whose identity
    was erased (its justification unreadable)."""
    sent = _overdue_referrals(border, 2)
    withdrawn_case = Referral.objects.get(uuid=sent[0]).case
    give_consent(border, str(withdrawn_case.uuid), "health_department", status="withdrawn")
    _on_a_legal_basis(border, SENT + timedelta(days=2))
    erased = _on_a_legal_basis(border, SENT + timedelta(days=3)).case
    call_command("erase_identity", erased.number, reason="retention", administrator="demo-admin")
    sweep_overdue()  # marked overdue and escalated: overdue_at and escalations filled
    steering = people["steering"]
    rows = api(steering).get(OVERDUE).json()
    now = timezone.now()
    expected = [
        _drf_overdue(get_visible_referral(steering, row["referral"]["id"]), now) for row in rows
    ]
    # Waiting times are counted from each read's own clock: a second may pass between them.
    for row, other in zip(rows, expected, strict=True):
        for clock in ("waiting_seconds", "overdue_seconds"):
            assert 0 <= other.pop(clock) - row.pop(clock) <= 2
    assert rows == expected
    referrals = [row["referral"] for row in rows]
    assert [r["id"] for r in referrals[:2]] == sent and len(referrals) == 4
    assert all(row["escalations"] for row in rows)
    assert [row["consent_withdrawn"] for row in rows] == [True, False, False, False]
    assert [(r["legal_basis"], r["justification"]) for r in referrals[2:]] == [
        ("notify-social-protection", "Duty"),
        ("notify-social-protection", ""),
    ]


def test_the_timeline_costs_the_same_queries_for_one_handoff_or_several(api, people, border):
    """The case timeline reads its referrals with their people in a fixed number of queries
    (no query per referral nor per person, issue 15), whoever answered them and however."""
    case_id = open_case(border, RETURNEE)["id"]
    give_consent(border, case_id, "health_department")
    health = api(people["social_supervisor"])
    path = f"/api/v1/cases/{case_id}/timeline/"

    first = refer(border, case_id)["id"]
    border.get(path)  # warm: sessions, content types, translations
    with CaptureQueriesContext(connection) as one:
        assert border.get(path).status_code == 200

    rejected = health.post(f"/api/v1/referrals/{first}/reject", {"reason": "Hết chỗ"})
    assert rejected.status_code == 200, rejected.json()
    second = refer(border, case_id)["id"]
    assert health.post(f"/api/v1/referrals/{second}/accept").status_code == 200
    with CaptureQueriesContext(connection) as several:
        events = border.get(path).json()["events"]
    kinds = [e["kind"] for e in events if e["kind"].startswith("referral")]
    assert sorted(kinds) == sorted(
        ["referral_sent", "referral_rejected", "referral_sent", "referral_accepted"]
    )
    assert len(several.captured_queries) == len(one.captured_queries)


def test_referral_list_rows_are_what_the_referral_serializer_writes(api, people, border):
    """The referral list writes its rows field by field (referral_summaries), not through
    ReferralSerializer: every field must still come out as the serializer writes it, for a
    referral waiting and one answered."""
    sent = _overdue_referrals(border, 2)
    health = api(people["social_supervisor"])
    assert health.post(f"/api/v1/referrals/{sent[0]}/accept").status_code == 200
    body = border.get("/api/v1/referrals/?box=outbox").json()
    assert (body["count"], body["count_capped"]) == (2, False)
    for row in body["results"]:
        referral = get_visible_referral(people["border"], row["id"])
        assert row == drf_referral(referral)
    assert {row["accepted_by"] for row in body["results"]} == {
        None,
        people["social_supervisor"].username,
    }


def test_rows_have_exactly_the_serializers_declared_fields(api, people, border):
    """One writer per shape: the lists, the overdue page and a single referral come out with
    the fields the serializers declare (the OpenAPI schema), in their order, no more."""
    sent = _overdue_referrals(border, 2)
    sweep_overdue()
    steering = api(people["steering"])
    declared = list(ReferralSerializer.Meta.fields)
    overdue = steering.get(OVERDUE).json()
    assert [list(row) for row in overdue] == [list(OverdueSerializer().fields)] * 2
    assert [list(row["referral"]) for row in overdue] == [declared] * 2
    listed = border.get("/api/v1/referrals/?box=outbox").json()["results"]
    assert [list(row) for row in listed] == [declared] * 2
    one = border.get(f"/api/v1/referrals/{sent[0]}/").json()
    assert list(one) == declared
    assert one == next(row for row in listed if row["id"] == sent[0])


def test_supervisor_pages_cost_exactly_the_same_queries_for_one_row_or_many(
    api, people, border, cast
):
    """No query per row on the overdue page nor the supervisor's case list, whoever sent
    the referrals and whether they were escalated (issue 15)."""
    steering = api(people["steering"])
    _overdue_referrals(border, 1)
    for path in (OVERDUE, "/api/v1/cases/"):
        steering.get(path)  # warm: sessions, content types, translations
    with CaptureQueriesContext(connection) as one_overdue:
        assert len(steering.get(OVERDUE).json()) == 1
    with CaptureQueriesContext(connection) as one_case:
        assert steering.get("/api/v1/cases/").json()["count"] == 1

    police = api(people["police"])
    for client in (border, police):
        case_id = open_case(client, RETURNEE)["id"]
        give_consent(client, case_id, "health_department")
        backdate(refer(client, case_id)["id"], SENT)
    _overdue_referrals(border, 2)
    sweep_overdue()  # escalations on every row
    with CaptureQueriesContext(connection) as many_overdue:
        rows = steering.get(OVERDUE).json()
    assert len(rows) == 5 and all(row["escalations"] for row in rows)
    assert {row["referral"]["sent_by"] for row in rows} == {
        people["border"].username,
        people["police"].username,
    }
    with CaptureQueriesContext(connection) as many_cases:
        assert steering.get("/api/v1/cases/").json()["count"] == 5
    assert len(many_overdue.captured_queries) == len(one_overdue.captured_queries)
    assert len(many_cases.captured_queries) == len(one_case.captured_queries)


# The timeline's own reads: one UNION of the records, escalations, border crossings and the stage
# deadlines' rules, the stage changes, the referrals with their people (issue 15: ~20 before).
TIMELINE_READS = 3


def test_a_supervisors_timeline_costs_a_fixed_number_of_queries_however_many_events(
    api, people, border
):
    """Each kind of event adds rows, never queries: escalations, answers, more referrals and
    stage changes are read in the same few queries; only the request's own reads (session,
    user, second factor, the case and what the reader may see of it) come on top."""
    case_id = open_case(border, RETURNEE)["id"]
    steering = api(people["steering"])
    path = f"/api/v1/cases/{case_id}/timeline/"
    steering.get(path)  # warm: sessions, content types, translations, the compiled reads
    with CaptureQueriesContext(connection) as few:
        first = steering.get(path).json()["events"]
    signed_in_and_case = len(few.captured_queries) - TIMELINE_READS

    give_consent(border, case_id, "health_department")
    rejected = str(backdate(refer(border, case_id)["id"], SENT).uuid)
    sweep_overdue()  # two escalations
    health = api(people["social_supervisor"])
    answer = health.post(f"/api/v1/referrals/{rejected}/reject", {"reason": "Hết chỗ"})
    assert answer.status_code == 200, answer.json()
    accepted = refer(border, case_id)["id"]
    assert health.post(f"/api/v1/referrals/{accepted}/accept").status_code == 200
    with CaptureQueriesContext(connection) as many:
        events = steering.get(path).json()["events"]
    kinds = {e["kind"] for e in events}
    assert {"intake", "escalation", "referral_rejected", "referral_accepted"} <= kinds
    assert len(events) >= len(first) + 5
    assert len(many.captured_queries) == signed_in_and_case + TIMELINE_READS
