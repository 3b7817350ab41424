"""Scenario 04, end to end through the API: a handoff nobody picked up."""

from datetime import datetime, timedelta

import pytest

from notifications.models import Notification, OutboxMessage
from notifications.outbox import drain_outbox
from places.models import VIETNAM_TZ
from referrals.models import Escalation, Referral
from referrals.services import sweep_overdue
from supervision.tasks import sweep_deadlines
from tests.cast import give_consent, refer, refused

pytestmark = pytest.mark.django_db

SENT = datetime(2025, 12, 1, 9, 0, tzinfo=VIETNAM_TZ)


def backdate(referral_id: str, sent_at: datetime) -> Referral:
    """Move the referral back in time as if sent then, keeping the deadline it was given."""
    referral = Referral.objects.get(uuid=referral_id)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent_at, due_at=sent_at + (referral.due_at - referral.sent_at)
    )
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def overdue_referral(border, case_id) -> Referral:
    give_consent(border, case_id, "health_department")
    sent = refer(border, case_id)
    assert sent["citation"] == "Luật 53/2024/QH15, khoản 2 Điều 27"
    assert sent["step"] == "initial_reception_verification"
    return backdate(sent["id"], SENT)


def test_deadline_passes_escalates_once_and_the_late_acceptance_shows(
    api, people, border, case_id, overdue_referral
):
    # 1. Marked overdue; both supervisors notified exactly once however often the sweep runs.
    assert sweep_overdue() == 1
    for _ in range(5):
        sweep_deadlines.apply()
        assert sweep_overdue() == 0
        drain_outbox()
    assert Referral.objects.get(pk=overdue_referral.pk).overdue_at is not None
    assert Escalation.objects.filter(referral=overdue_referral).count() == 2
    escalations = Notification.objects.filter(message__idempotency_key__startswith="escalation:")
    notified = escalations.values_list("recipient__username", flat=True)
    assert sorted(notified) == sorted(
        [people["social_supervisor"].username, people["steering"].username]
    )
    note = escalations.first()
    assert overdue_referral.case.number in note.body
    assert "Lò Văn Pó" not in note.subject + note.body
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert api(people["steering"]).get("/api/v1/notifications/").json()["count"] == 1

    # 2. The overdue list shows how long it has waited and who holds it.
    for supervisor in ("social_supervisor", "steering"):
        rows = api(people[supervisor]).get("/api/v1/supervision/overdue/").json()
        assert [row["referral"]["id"] for row in rows] == [str(overdue_referral.uuid)]
        assert rows[0]["held_by"] == "ht-border_guard"
        assert rows[0]["awaited"] == "ht-health_department"
        assert rows[0]["waiting_seconds"] > rows[0]["overdue_seconds"] > 0
        assert sorted(rows[0]["escalations"]) == ["provincial_supervisor", "unit_supervisor"]
    assert api(people["lao_cai_steering"]).get("/api/v1/supervision/overdue/").json() == []
    refused(border.get("/api/v1/supervision/overdue/"), 403, "forbidden")

    # 3. Accepted late: the timeline shows by how much, with the escalation in between.
    social_supervisor = api(people["social_supervisor"])
    accept = social_supervisor.post(f"/api/v1/referrals/{overdue_referral.uuid}/accept")
    assert accept.status_code == 200, accept.json()
    events = border.get(f"/api/v1/cases/{case_id}/timeline/").json()["events"]
    handoff = [e for e in events if e["kind"].startswith("referral") or e["kind"] == "escalation"]
    assert [e["kind"] for e in handoff] == [
        "referral_sent",
        "escalation",
        "escalation",
        "referral_accepted",
    ]
    accepted = handoff[-1]
    assert accepted["met"] is False
    assert accepted["user"] == people["social_supervisor"].username
    assert accepted["citation"] == "Luật 53/2024/QH15, khoản 2 Điều 27"
    assert (
        accepted["late_by_seconds"]
        > (datetime.now(SENT.tzinfo) - SENT - timedelta(days=4)).total_seconds()
    )

    # ... and the quarter's timeliness counts it as late.
    figures = api(people["steering"]).get("/api/v1/supervision/timeliness/?period=2025-Q4")
    assert figures.status_code == 200, figures.json()
    unit = figures.json()["units"][0]
    assert unit["unit"] == "ht-health_department"
    assert (unit["accepted"], unit["accepted_late"], unit["share_accepted_in_time"]) == (1, 1, 0)
    assert figures.json()["total"]["accepted_late"] == 1


def test_only_what_is_due_is_touched(border, case_id, overdue_referral):
    give_consent(border, case_id, "police", purpose="investigation")
    refer(border, case_id, purpose="investigation", to_unit="ht-police")  # due in 3 days
    assert sweep_overdue(now=SENT + timedelta(days=2)) == 0
    assert sweep_overdue() == 1
    assert Escalation.objects.count() == 2
