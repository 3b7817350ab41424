"""The case timeline's reads (issue 15): a fixed, small number of queries; the rules of its
stage deadlines read with the case's records, as the rulebook alone would give them; its SQL
compiled once per process, not once per server thread."""

import threading
from datetime import datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from cases.models import Case
from config.errors import InvalidInput
from config.sql import CompiledRead
from places.models import VIETNAM_TZ
from rulebooks.models import RuleStep
from rulebooks.selectors import rule_for, stage_deadlines
from supervision import timeline
from tests.cast import move, open_case, record

from .conftest import RETURNEE, give_consent, refer

pytestmark = pytest.mark.django_db

STEP = "initial_reception_verification"  # the step that sets the verification stage's deadline

# A signed-in supervisor's timeline: the session, the user with their unit (what they may see),
# their second factor, the case with its data key, then the timeline's own reads: one UNION of
# the records, escalations, border crossings and stage-deadline rules, the stage changes, and
# the referrals with their people.
SUPERVISORS_TIMELINE_QUERIES = 7


def _case_in_verification(border) -> str:
    """The returnee's case, screened and in verification: a stage with a deadline."""
    case_id = open_case(border, RETURNEE)["id"]
    screening = {"indicators": ["deception", "restriction_of_movement", "abuse_of_vulnerability"]}
    record(border, case_id, "screenings", screening)
    move(border, case_id, "start_verification")
    return case_id


def _timeline(client, case_id: str) -> list[dict]:
    response = client.get(f"/api/v1/cases/{case_id}/timeline/")
    assert response.status_code == 200, response.content
    return response.json()["events"]


def _deadline(events: list[dict]) -> dict:
    return next(e for e in events if e["kind"] == "deadline")


def test_a_supervisors_timeline_costs_exactly_its_queries(api, people, border):
    case_id = _case_in_verification(border)
    give_consent(border, case_id, "health_department")
    refer(border, case_id)
    steering = api(people["steering"])
    _timeline(steering, case_id)  # warm: sessions, content types, translations
    with CaptureQueriesContext(connection) as queries:
        events = _timeline(steering, case_id)
    kinds = {"intake", "screening", "transition", "deadline", "referral_sent"}
    assert kinds <= {e["kind"] for e in events}
    assert len(queries.captured_queries) == SUPERVISORS_TIMELINE_QUERIES
    # The deadline's rule comes with the records, never in a query of its own.
    alone = [q["sql"] for q in queries if q["sql"].startswith('SELECT "rulebooks_rulestep"')]
    assert alone == []


def _version(rule: RuleStep, version: int, effective_from: datetime, days: int) -> RuleStep:
    return RuleStep.objects.create(
        rulebook_id=rule.rulebook_id,
        step=rule.step,
        version=version,
        responsible_kinds=rule.responsible_kinds,
        responsible_level=rule.responsible_level,
        deadline=timedelta(days=days),
        wording=rule.wording,
        is_default=rule.is_default,
        citation=f"Version {version}",
        effective_from=effective_from,
    )


def test_the_stage_deadline_is_the_rule_version_in_force_when_the_case_was_received(
    api, people, border
):
    """Read with the records, the rule of a stage deadline is still the latest version that
    took effect by the case's reception: not an older one, nor one that came after."""
    case_id = _case_in_verification(border)
    received = parse_datetime(RETURNEE["received_at"])
    steering = api(people["steering"])
    rule = rule_for(Case.objects.get(uuid=case_id).rulebook, STEP, at=received)
    first = _deadline(_timeline(steering, case_id))
    assert (parse_datetime(first["at"]), first["citation"]) == (
        received + rule.deadline,
        rule.citation,
    )

    before = received - timedelta(days=1)
    _version(rule, rule.version + 2, before, days=9)  # the latest in force at reception
    _version(rule, rule.version + 1, before, days=7)  # written after, but an older version
    _version(rule, rule.version + 3, received + timedelta(seconds=1), days=30)  # came later
    deadline = _deadline(_timeline(steering, case_id))
    assert (parse_datetime(deadline["at"]), deadline["citation"]) == (
        received + timedelta(days=9),
        f"Version {rule.version + 2}",
    )
    alone = stage_deadlines(Case.objects.get(uuid=case_id))["verification"]
    assert (alone.due_at, alone.citation) == (received + timedelta(days=9), deadline["citation"])


def test_a_stage_without_a_rule_in_force_is_refused_whether_its_rules_were_read_or_not(db):
    case = SimpleNamespace(rulebook="law-2024", received_at=datetime(1990, 1, 1, tzinfo=VIETNAM_TZ))
    for rules in (None, []):
        with pytest.raises(InvalidInput) as refused:
            stage_deadlines(case, rules)
        assert refused.value.code == "no_rule"


def test_the_timeline_reads_are_compiled_once_per_process_not_per_thread(border):
    """Each server thread has its own database connection: compiling the reads per connection
    cost every thread ~15 ms on its first timeline, most of the timeline's p95 (issue 15)."""
    case = Case.objects.get(uuid=open_case(border, RETURNEE)["id"])
    reads = (timeline._RECORDS, timeline._STAGE_CHANGES, timeline._REFERRALS)
    for read in reads:
        read.rows(case=case.pk)
    failures = []

    def another_server_thread() -> None:
        try:
            for read in reads:
                read.rows(case=case.pk)
        except Exception as exc:  # noqa: BLE001 (reported to the test's thread)
            failures.append(exc)
        finally:
            connections.close_all()

    # The other thread's connection answers nothing: only whether it compiles matters here.
    cursor = mock.MagicMock()
    cursor.return_value.__enter__.return_value.fetchall.return_value = []
    with (
        mock.patch.object(CompiledRead, "_compile", side_effect=AssertionError),
        mock.patch.object(type(connections["default"]), "cursor", cursor),
    ):
        thread = threading.Thread(target=another_server_thread)
        thread.start()
        thread.join()
    assert failures == []
    assert cursor.call_count == len(reads)
