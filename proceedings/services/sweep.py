"""Tips not resolved by their limit are escalated like referrals: marked once, brought to the
receiving unit's supervisors, the Procuracy that supervises the resolution and the provincial
Steering Committee, through the notifications outbox in the same transaction."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, User
from notifications.outbox import enqueue
from places.models import VIETNAM_TZ
from security.audit import record_event

from ..lifecycle import OPEN_TIP_STATES
from ..models import Tip, TipEscalation

Level = TipEscalation.Level


def due_tips(now: datetime):
    """Open tips past their limit and not yet marked."""
    return Tip.objects.filter(
        state__in=[*OPEN_TIP_STATES], overdue_at__isnull=True, due_at__lte=now
    ).order_by("due_at")


def sweep_overdue_tips(now: datetime | None = None, batch_size: int = 500) -> int:
    """Mark and escalate overdue tips, once; running it again changes nothing."""
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic():
            batch = list(
                due_tips(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("unit")[:batch_size]
            )
            if not batch:
                return marked
            Tip.objects.filter(pk__in=[t.pk for t in batch]).update(overdue_at=now)
            TipEscalation.objects.bulk_create(
                [
                    TipEscalation(tip=t, level=lv, created_at=now)
                    for t in batch
                    for lv in Level.values
                ],
                ignore_conflicts=True,
            )
            _notify(batch)
            record_event("tip.overdue", details={"tips": [str(t.uuid) for t in batch], "at": now})
        marked += len(batch)


def recipients(tip: Tip, level: str) -> Iterable[User]:
    users = User.objects.filter(is_active=True)
    if level == Level.UNIT_SUPERVISOR:
        return users.filter(unit_id=tip.unit_id, role=Role.SUPERVISOR)
    kind = AgencyKind.PROCURACY if level == Level.PROCURACY else AgencyKind.STEERING_COMMITTEE
    in_province = Q(unit__kind=kind, unit__province_id=tip.unit.province_id)
    if level == Level.PROCURACY:
        return users.filter(in_province, role__in=[Role.SUPERVISOR, Role.CASEWORKER])
    return users.filter(in_province, role=Role.SUPERVISOR)


def _notify(tips: list[Tip]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        for tip in tips:
            due = formats.date_format(tip.due_at.astimezone(VIETNAM_TZ), "SHORT_DATETIME_FORMAT")
            for level in Level.values:
                enqueue(
                    f"tip-escalation:{tip.pk}:{level}",
                    recipients(tip, level),
                    _("Overdue tip of a trafficking crime at %(unit)s") % {"unit": tip.unit.name},
                    _(
                        "A tip received by %(unit)s was to be resolved by %(due)s and has not "
                        "been resolved (tip %(tip)s)."
                    )
                    % {"unit": tip.unit.name, "due": due, "tip": str(tip.uuid)[:8]},
                )
