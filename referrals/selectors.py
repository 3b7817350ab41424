"""Reads of referrals: who may see which, the case timeline, overdue lists, timeliness."""

import math
from collections import defaultdict
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role, User
from cases.models import Case, Consent, ConsentStatus
from cases.selectors import visible_cases
from config.errors import NotAllowed, NotFound

from .models import OPEN_STATUSES, Notification, Referral, ReferralStatus
from .periods import parse_period


def visible_referrals(user: User) -> QuerySet[Referral]:
    """Referrals from or to the user's unit, addressed to its kind in its province, or of a
    case the user may see (so a Steering Committee supervisor sees their province's)."""
    if not user.is_active or user.unit_id is None or user.role == Role.ADMINISTRATOR:
        return Referral.objects.none()
    unit = user.unit
    scope = (
        Q(from_unit_id=unit.pk)
        | Q(to_unit_id=unit.pk)
        | Q(to_unit__isnull=True, to_kind=unit.kind, to_province_id=unit.province_id)
        | Q(case__in=visible_cases(user).values("pk"))
    )
    return _with_consent_status(Referral.objects.filter(scope))


def _with_consent_status(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    latest = Consent.objects.filter(
        case_id=OuterRef("case_id"), recipient_kind=OuterRef("to_kind")
    ).order_by("-recorded_at", "-id")
    return referrals.select_related(
        "case", "from_unit", "to_unit", "rule", "sent_by", "accepted_by"
    ).annotate(latest_consent_status=Subquery(latest.values("status")[:1]))


def referrals_in_box(user: User, box: str = "") -> QuerySet[Referral]:
    """`inbox`: addressed to the user's unit (or its kind and province); `outbox`: sent by it;
    anything else: every referral the user may see."""
    referrals = visible_referrals(user)
    if box == "outbox":
        return referrals.filter(from_unit_id=user.unit_id)
    if box == "inbox":
        unit = user.unit
        return referrals.filter(
            Q(to_unit_id=unit.pk)
            | Q(to_unit__isnull=True, to_kind=unit.kind, to_province_id=unit.province_id)
        )
    return referrals


def get_visible_referral(user: User, referral_id) -> Referral:
    """The referral if the user may know it exists; otherwise 404 (no existence leak)."""
    try:
        return visible_referrals(user).get(uuid=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such referral.")) from exc


def consent_withdrawn(referral: Referral) -> bool:
    """An open referral whose recipient kind the victim has since refused or withdrawn."""
    status = getattr(referral, "latest_consent_status", None)
    return referral.status in OPEN_STATUSES and status not in (None, ConsentStatus.GIVEN)


def _late_by(at: datetime | None, due_at: datetime) -> int | None:
    return None if at is None else max(0, int((at - due_at).total_seconds()))


def _acceptance_met(referral: Referral, now: datetime) -> bool | None:
    """Whether the referral was answered (accepted or rejected) by its deadline."""
    answered = referral.accepted_at or referral.rejected_at
    if answered:
        return answered <= referral.due_at
    if referral.status == ReferralStatus.SENT:
        return False if now > referral.due_at else None
    return None


def referral_timeline(case: Case) -> list[dict]:
    """Every handoff of the case and its escalations, with deadlines, citations, whether
    the deadline was met and by how much it was missed."""
    now = timezone.now()
    events = []
    referrals = case.referrals.select_related(
        "from_unit",
        "to_unit",
        "rule",
        "sent_by",
        "accepted_by",
        "rejected_by",
        "completed_by",
        "withdrawn_by",
    ).prefetch_related("escalations")
    for referral in referrals:
        events += _referral_events(referral, now)
    return sorted(events, key=lambda event: event["at"])


def _referral_events(referral: Referral, now: datetime) -> list[dict]:
    base = {
        "referral": str(referral.uuid),
        "what": referral.purpose,
        "due_at": referral.due_at,
        "citation": referral.rule.citation,
        "rule_is_default": referral.rule.is_default,
    }
    to = referral.to_unit.code if referral.to_unit else None
    sent_met = _acceptance_met(referral, now)
    late = (
        _late_by(now, referral.due_at) if sent_met is False and not referral.accepted_at else None
    )
    events = [
        base
        | {
            "at": referral.sent_at,
            "kind": "referral_sent",
            "unit": referral.from_unit.code,
            "user": referral.sent_by.username,
            "to_unit": to,
            "to_kind": referral.to_kind,
            "met": sent_met,
            "late_by_seconds": late,
        }
    ]
    for kind, at, user in (
        ("referral_accepted", referral.accepted_at, referral.accepted_by),
        ("referral_rejected", referral.rejected_at, referral.rejected_by),
    ):
        if at:
            events.append(
                base
                | {
                    "at": at,
                    "kind": kind,
                    "unit": to,
                    "user": user.username,
                    "met": at <= referral.due_at,
                    "late_by_seconds": _late_by(at, referral.due_at),
                    "reason": referral.reason if kind == "referral_rejected" else "",
                }
            )
    for kind, at, user, unit in (
        ("referral_completed", referral.completed_at, referral.completed_by, to),
        (
            "referral_withdrawn",
            referral.withdrawn_at,
            referral.withdrawn_by,
            referral.from_unit.code,
        ),
    ):
        if at:
            events.append(
                base
                | {
                    "at": at,
                    "kind": kind,
                    "unit": unit,
                    "user": user.username,
                    "met": None,
                    "late_by_seconds": None,
                    "reason": referral.reason if kind == "referral_withdrawn" else "",
                }
            )
    events += [
        base
        | {
            "at": escalation.created_at,
            "kind": "escalation",
            "level": escalation.level,
            "unit": to or referral.to_kind,
            "user": None,
            "met": False,
            "late_by_seconds": _late_by(escalation.created_at, referral.due_at),
        }
        for escalation in referral.escalations.all()
    ]
    return events


def _require_supervisor(user: User) -> None:
    if user.role != Role.SUPERVISOR or user.unit_id is None:
        raise NotAllowed(_("Only supervisors see the supervision pages."))


def overdue_referrals(user: User, now: datetime | None = None) -> list[dict]:
    """Quá hạn: referrals still waiting past their deadline that the supervisor may see,
    longest waiting first, with who holds the case meanwhile and who is awaited."""
    _require_supervisor(user)
    now = now or timezone.now()
    referrals = (
        visible_referrals(user)
        .filter(status=ReferralStatus.SENT, due_at__lte=now)
        .prefetch_related("escalations")
        .order_by("sent_at", "id")
    )
    return [
        {
            "referral": referral,
            "waiting_seconds": int((now - referral.sent_at).total_seconds()),
            "overdue_seconds": int((now - referral.due_at).total_seconds()),
            "held_by": referral.from_unit.code,
            "awaited": referral.to_unit.code if referral.to_unit else None,
            "escalations": [e.level for e in referral.escalations.all()],
            "consent_withdrawn": consent_withdrawn(referral),
        }
        for referral in referrals
    ]


def percentile(values: list[float], share: float) -> float | None:
    """The `share` percentile (0–1) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _seconds(rows: list[dict], field: str) -> list[float]:
    return [(row[field] - row["sent_at"]).total_seconds() for row in rows if row[field]]


def _figures(rows: list[dict], now: datetime) -> dict:
    """Timeliness of a set of referrals. Accepted in time = accepted by the deadline; the share
    is over referrals accepted or still waiting past their deadline (rejected and withdrawn
    unanswered ones are not counted either way)."""
    accepted = [row for row in rows if row["accepted_at"]]
    in_time = sum(row["accepted_at"] <= row["due_at"] for row in accepted)
    waiting_late = sum(
        row["status"] == ReferralStatus.SENT and row["due_at"] <= now for row in rows
    )
    to_accept, to_complete = _seconds(rows, "accepted_at"), _seconds(rows, "completed_at")
    judged = len(accepted) + waiting_late
    return {
        "sent": len(rows),
        "accepted": len(accepted),
        "accepted_in_time": in_time,
        "accepted_late": len(accepted) - in_time,
        "waiting_past_deadline": waiting_late,
        "rejected": sum(row["status"] == ReferralStatus.REJECTED for row in rows),
        "withdrawn": sum(row["status"] == ReferralStatus.WITHDRAWN for row in rows),
        "share_accepted_in_time": round(in_time / judged, 4) if judged else None,
        "accept_median_seconds": percentile(to_accept, 0.5),
        "accept_p90_seconds": percentile(to_accept, 0.9),
        "complete_median_seconds": percentile(to_complete, 0.5),
        "complete_p90_seconds": percentile(to_complete, 0.9),
    }


def timeliness(user: User, period_code: str, now: datetime | None = None) -> dict:
    """Handoff timeliness per receiving unit for referrals sent in the period (Vietnam time):
    median and 90th percentile time to accept and to complete, share accepted in time."""
    _require_supervisor(user)
    period = parse_period(period_code)
    now = now or timezone.now()
    rows = list(
        visible_referrals(user)
        .filter(sent_at__gte=period.start, sent_at__lt=period.end)
        .values(
            "to_unit__code",
            "to_kind",
            "to_province_id",
            "status",
            "sent_at",
            "due_at",
            "accepted_at",
            "completed_at",
        )
    )
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["to_unit__code"] or f"{row['to_kind']}@{row['to_province_id']}"].append(row)
    return {
        "period": period.code,
        "start": period.start,
        "end": period.end,
        "units": [
            {"unit": unit} | _figures(unit_rows, now) for unit, unit_rows in sorted(groups.items())
        ],
        "total": _figures(rows, now),
    }


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)
