"""Supervisor pages and figures: overdue list, the Gantt timeline, timeliness, periods."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from benchmarks.sweep import bench_sweep
from config.errors import InvalidInput
from notifications.models import Notification, OutboxMessage
from notifications.outbox import drain_outbox
from places.models import VIETNAM_TZ
from referrals.models import Referral
from referrals.services import sweep_overdue
from rulebooks.periods import parse_period
from security.testing import force_verified_login
from supervision.selectors import percentile
from tests.cast import give_consent, refer

pytestmark = pytest.mark.django_db
VN = VIETNAM_TZ


@pytest.fixture
def backdated(border, case_id) -> Referral:
    """Sent on 2025-12-01 09:00, due three days later, never accepted."""
    give_consent(border, case_id, "health_department")
    referral = Referral.objects.get(uuid=refer(border, case_id)["id"])
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=datetime(2025, 12, 1, 9, tzinfo=VN), due_at=datetime(2025, 12, 4, 9, tzinfo=VN)
    )
    return referral


@pytest.fixture
def overdue(backdated) -> Referral:
    sweep_overdue()
    return backdated


def test_pages_are_for_signed_in_supervisors_only(client, people, overdue):
    assert client.get("/supervision/overdue/").status_code == 302
    client.force_login(people["border"])
    assert client.get("/supervision/overdue/").status_code == 403


def test_overdue_page_lists_the_handoff(client, people, overdue):
    force_verified_login(client, people["steering"])
    page = client.get("/supervision/overdue/").content.decode()
    assert overdue.case.number in page
    assert "Lò Văn Pó" not in page


def test_timeline_page_draws_stages_handoffs_deadline_and_escalations(
    client, people, case_id, overdue
):
    force_verified_login(client, people["steering"])
    response = client.get(f"/supervision/cases/{case_id}/timeline/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "<script" not in page
    assert page.count('stroke-dasharray="3 2"') == 1  # the deadline
    assert page.count("M0 -6 L6 0 L0 6 L-6 0 Z") == 2  # two escalations
    assert "#b3261e" in page  # the late part of the wait
    assert "Luật 53/2024/QH15, khoản 2 Điều 27" in page
    force_verified_login(client, people["lao_cai_steering"])
    assert client.get(f"/supervision/cases/{case_id}/timeline/").status_code == 404


def test_timeliness_page(client, people, overdue):
    force_verified_login(client, people["steering"])
    page = client.get("/supervision/timeliness/?period=2025-Q4")
    assert page.status_code == 200
    assert "ht-health_department" in page.content.decode()
    assert client.get("/supervision/timeliness/?period=Q4").status_code == 400


def test_email_is_sent_once_and_a_failure_is_retried(people, backdated, monkeypatch):
    people["steering"].email = "steering@example.org"
    people["steering"].save()
    drain_outbox()  # the arrival notices of the referral itself
    sweep_overdue()
    monkeypatch.setattr("notifications.outbox.send_mail", _failing_send_mail)
    assert drain_outbox() == 2  # the in-app ones
    failed = OutboxMessage.objects.get(channel="email")
    assert (failed.sent_at, failed.attempts) == (None, 1)
    assert "SMTPServerDisconnected" in failed.last_error
    monkeypatch.undo()
    assert drain_outbox() == 1
    assert drain_outbox() == 0
    assert len(mail.outbox) == 1 and backdated.case.number in mail.outbox[0].subject
    assert (
        Notification.objects.filter(message__idempotency_key__startswith="escalation:").count() == 2
    )


def _failing_send_mail(*args, **kwargs):
    from smtplib import SMTPServerDisconnected

    raise SMTPServerDisconnected("down")


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2025-Q4", datetime(2025, 10, 1, tzinfo=VN), datetime(2026, 1, 1, tzinfo=VN)),
        ("2025-H1", datetime(2025, 1, 1, tzinfo=VN), datetime(2025, 7, 1, tzinfo=VN)),
        ("2025", datetime(2025, 1, 1, tzinfo=VN), datetime(2026, 1, 1, tzinfo=VN)),
    ],
)
def test_periods(code, start, end):
    assert (parse_period(code).starts_at, parse_period(code).ends_at) == (start, end)


@pytest.mark.parametrize("code", ["", "2025-Q5", "2025-H3", "25", "2025Q1", "1800"])
def test_bad_periods(code):
    with pytest.raises(InvalidInput):
        parse_period(code)


def test_percentiles():
    assert percentile([], 0.5) is None
    assert percentile([10], 0.9) == 10
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_bench_leaves_nothing_behind():
    result = bench_sweep(total=300, due=30)
    assert (result["marked"], result["escalations"], result["outbox_messages"]) == (30, 60, 60)
    assert result["sweep_index_used"]
    assert not Referral.objects.exists()
    assert timedelta(seconds=result["sweep_seconds"]) < timedelta(seconds=30)
