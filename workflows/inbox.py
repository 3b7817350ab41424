"""A unit's inbox (hộp việc) as a person reads it: referrals waiting for the unit to accept
or reject them, and the stage tasks of the cases it holds, each with its deadline and the
time left, overdue first, then by deadline."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from agencies.models import User
from cases.models import Case
from referrals.models import Referral, ReferralStatus
from referrals.selectors import referrals_in_box
from rulebooks.selectors import stage_deadlines

from .flows import STAGE_TRACK
from .process import CaseTask
from .services import tasks_for_user


@dataclass
class InboxItem:
    kind: str  # "referral" or "task"
    case: Case
    title: str
    due_at: datetime | None
    citation: str
    seconds_left: int | None
    referral: Referral | None = None
    task: CaseTask | None = None

    @property
    def overdue(self) -> bool:
        return self.seconds_left is not None and self.seconds_left < 0


def _left(due_at: datetime | None, now: datetime) -> int | None:
    return None if due_at is None else int((due_at - now).total_seconds())


def inbox(user: User, now: datetime | None = None) -> list[InboxItem]:
    """What waits for the user's unit: overdue first, then the nearest deadline first."""
    now = now or timezone.now()
    referrals = referrals_in_box(user, "inbox").filter(status=ReferralStatus.SENT)
    items = [
        InboxItem(
            "referral",
            referral.case,
            referral.get_purpose_display(),
            referral.due_at,
            referral.rule.citation,
            _left(referral.due_at, now),
            referral=referral,
        )
        for referral in referrals.order_by("due_at", "pk")
    ]
    for task in tasks_for_user(user):
        case = task.case
        deadline = stage_deadlines(case).get(task.stage) if task.track == STAGE_TRACK else None
        items.append(
            InboxItem(
                "task",
                case,
                str(task.title or task.stage),
                deadline and deadline.due_at,
                deadline.citation if deadline else "",
                _left(deadline and deadline.due_at, now),
                task=task,
            )
        )
    far = float("inf")
    return sorted(items, key=lambda i: i.seconds_left if i.seconds_left is not None else far)
