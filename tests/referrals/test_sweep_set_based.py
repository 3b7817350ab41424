"""The overdue sweep in set-based statements (issue 15): a batch of due referrals costs the
same handful of queries however many are due, everything due is marked and escalated once,
running it again changes nothing, and what is not yet due is left alone."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from agencies.models import Role, User
from benchmarks.sweep import _fixture, _referrals
from notifications.models import Channel, OutboxMessage
from referrals.models import Escalation, EscalationLevel, Referral
from referrals.services import sweep_overdue
from security.models import AuditEvent

pytestmark = pytest.mark.django_db


def _open_referrals(total: int, due: int) -> tuple[list[int], list[int]]:
    """`total` open referrals of one case, the first `due` of them past their deadline."""
    now = timezone.now()
    Referral.objects.bulk_create(list(_referrals(_fixture(now), total, due, now)))
    ids = list(Referral.objects.order_by("pk").values_list("pk", flat=True))
    return ids[:due], ids[due:]


def _escalated() -> set[tuple[int, str]]:
    return set(Escalation.objects.values_list("referral_id", "level"))


def test_every_due_referral_is_marked_and_escalated_once(django_assert_max_num_queries):
    due, waiting = _open_referrals(total=60, due=45)
    with django_assert_max_num_queries(14):  # one batch: the same queries for 45 as for 1
        assert sweep_overdue() == 45
    assert set(Referral.objects.filter(overdue_at__isnull=False).values_list("pk", flat=True)) == (
        set(due)
    )
    assert _escalated() == {(pk, level) for pk in due for level in EscalationLevel.values}
    keys = set(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    for pk in due:
        for level in EscalationLevel.values:
            assert any(key.startswith(f"escalation:{pk}:{level}:") for key in keys)
    assert not any(key.startswith(f"escalation:{pk}:") for pk in waiting for key in keys)
    audited = AuditEvent.objects.filter(action="referral.overdue")
    uuids = {str(u) for u in Referral.objects.filter(pk__in=due).values_list("uuid", flat=True)}
    assert {u for event in audited for u in event.details["referrals"]} == uuids


def test_small_batches_reach_every_due_referral():
    due, _waiting = _open_referrals(total=30, due=23)
    assert sweep_overdue(batch_size=5) == 23
    assert len(_escalated()) == 23 * len(EscalationLevel.values)
    assert AuditEvent.objects.filter(action="referral.overdue").count() == 5  # one per batch


def test_running_it_twice_changes_nothing():
    _open_referrals(total=10, due=6)
    assert sweep_overdue() == 6
    before = (_escalated(), OutboxMessage.objects.count(), AuditEvent.objects.count())
    assert sweep_overdue() == 0
    assert sweep_overdue(now=timezone.now() + timedelta(minutes=1)) == 0
    assert (_escalated(), OutboxMessage.objects.count(), AuditEvent.objects.count()) == before


def test_referrals_not_yet_due_are_untouched():
    _due, waiting = _open_referrals(total=8, due=3)
    sweep_overdue()
    untouched = Referral.objects.filter(pk__in=waiting)
    assert not untouched.filter(overdue_at__isnull=False).exists()
    assert not Escalation.objects.filter(referral__in=untouched).exists()


def test_each_escalation_message_is_stored_whole_for_its_supervisor():
    """The outbox rows are written from arrays on PostgreSQL, by bulk_create elsewhere
    (notifications.outbox): every column lands where it belongs either way."""
    [due], _waiting = _open_referrals(total=2, due=1)
    before = timezone.now()
    sweep_overdue()
    referral = Referral.objects.select_related("case", "to_unit").get(pk=due)
    [supervisor] = User.objects.filter(unit=referral.to_unit, role=Role.SUPERVISOR)
    message = OutboxMessage.objects.get(
        idempotency_key=f"escalation:{due}:{EscalationLevel.UNIT_SUPERVISOR}:{supervisor.pk}:"
        f"{Channel.IN_APP}"
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Overdue referral: case %(number)s") % {"number": referral.case.number}
    assert (message.recipient, message.channel, message.subject) == (
        supervisor,
        Channel.IN_APP,
        subject,
    )
    assert referral.case.number in message.body and message.body != subject
    assert (message.sent_at, message.attempts, message.last_error) == (None, 0, "")
    assert before <= message.created_at <= timezone.now()
