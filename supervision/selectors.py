"""Reads for supervisors: overdue handoffs and timeliness per receiving unit."""

import math
from collections import defaultdict
from datetime import datetime

from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role, User
from config.errors import InvalidInput, NotAllowed
from config.sql import CompiledRead, Constant, Slot
from referrals.models import Escalation, Referral, ReferralStatus
from referrals.selectors import (
    compiled_summaries,
    consent_refused,
    for_a_page,
    referral_scope,
    referrals_in_scope,
    summary_columns,
    visible_referrals,
)
from rulebooks.periods import parse_period


def _require_supervisor(user: User) -> None:
    if user.role != Role.SUPERVISOR or user.unit_id is None:
        raise NotAllowed(_("Only supervisors see the supervision pages."))


# Rows of one page of the overdue list (API ?limit= up to OVERDUE_MAX): as many as a page of
# the case list (PAGE_SIZE); a page of 100 cost twice as much to read and write (issue 15).
OVERDUE_PAGE = 50
OVERDUE_MAX = 200


def overdue_page(
    user: User, now: datetime | None = None, *, after=None, limit: int = OVERDUE_PAGE
) -> list[dict]:
    """Quá hạn: referrals still waiting past their deadline that the supervisor may see,
    longest waiting first, with who holds the case meanwhile and who is awaited. One page of
    `limit` rows after the referral whose uuid is `after` (keyset: served by the index of
    waiting referrals by deadline, never a count of the whole list). Each referral as its
    columns (summary_columns), what the API writes: no model per row, and the page's SQL
    compiled once per scope and page shape (issue 15)."""
    _require_supervisor(user)
    now = now or timezone.now()
    scope = referral_scope(user)
    slots = {"now": now}
    if after is not None:
        slots |= _position(scope, after)
    page = summary_columns(_OVERDUE_PAGES.rows(scope, after is not None, limit, **slots))
    escalations = _escalation_levels([referral["id"] for referral in page], limit)
    return [
        {
            "referral": referral,
            "waiting_seconds": int((now - referral["sent_at"]).total_seconds()),
            "overdue_seconds": int((now - referral["due_at"]).total_seconds()),
            "held_by": referral["from_code"],
            "awaited": referral["to_code"],
            "escalations": escalations.get(referral["id"], []),
            "consent_withdrawn": consent_refused(
                referral["status"], referral["latest_consent_status"]
            ),
        }
        for referral in page
    ]


# The values an overdue page's SQL leaves open: the time it is read at, and the position of
# the referral it continues after. Waiting is written into it and the time is opaque, so that
# PostgreSQL plans the page once per connection, on the index of waiting referrals (Slot).
_WAITING = Constant(ReferralStatus.SENT, models.CharField())
_NOW = Slot("now", models.DateTimeField(), opaque=True)
_AFTER_SENT_AT = Slot("after_sent_at", models.DateTimeField())
_AFTER_ID = Slot("after_id", models.BigIntegerField())


def _overdue(scope: Q | None, continued: bool, limit: int) -> QuerySet[Referral]:
    """The overdue referrals of a scope: a page of `limit`, after a position if `continued`."""
    referrals = referrals_in_scope(scope).filter(status=_WAITING, due_at__lte=_NOW)
    if continued:
        referrals = referrals.filter(
            Q(sent_at__gt=_AFTER_SENT_AT) | Q(sent_at=_AFTER_SENT_AT, id__gt=_AFTER_ID)
        )
    return referrals.order_by("sent_at", "id")[:limit]


# An overdue page, compiled once per scope and shape (CompiledRead).
_OVERDUE_PAGES = compiled_summaries(_overdue)


def _position(scope: Q | None, after) -> dict:
    """Where the referral `after` stands in (sent_at, id) order; it must be one the scope lets
    see."""
    last = referrals_in_scope(scope).filter(uuid=after).values("sent_at", "id").first()
    if last is None:
        raise InvalidInput(_("The page to continue after is not in this list."))
    return {"after_sent_at": last["sent_at"], "after_id": last["id"]}


def overdue_referrals(
    user: User, now: datetime | None = None, *, after=None, limit: int = OVERDUE_PAGE
) -> list[dict]:
    """The overdue page (overdue_page) with each referral as a model, for the web pages'
    templates."""
    rows = overdue_page(user, now, after=after, limit=limit)
    ids = [row["referral"]["id"] for row in rows]
    referrals = for_a_page(visible_referrals(user)).in_bulk(ids)
    return [row | {"referral": referrals[pk]} for row, pk in zip(rows, ids, strict=True)]


# The escalations of a page's referrals, a query per page size compiled once: built through
# the ORM on every page it cost a quarter of the page's time (issue 15). Its referrals are
# opaque parameters (Slot): seen, they were planned for on every run.
_ESCALATIONS = CompiledRead(
    lambda limit: (
        Escalation.objects.filter(In(F("referral_id"), _referral_slots(limit)))
        .order_by("created_at", "id")
        .values("referral_id", "level")
    ),
    size=OVERDUE_MAX,
)


def _referral_slots(limit: int) -> list[Slot]:
    return [Slot(f"referral_{i}", models.BigIntegerField(), opaque=True) for i in range(limit)]


def _escalation_levels(referral_ids: list[int], limit: int) -> dict[int, list[str]]:
    """The levels each referral of a page of `limit` was escalated to, oldest first, in one
    query of two columns; a short page's first referral fills the places of its missing rows
    (IN is unchanged by a repeat; an opaque NULL cannot be compared with a key)."""
    levels: dict[int, list[str]] = defaultdict(list)
    if not referral_ids:
        return levels
    padded = [*referral_ids, *referral_ids[:1] * (limit - len(referral_ids))]
    slots = {f"referral_{i}": pk for i, pk in enumerate(padded)}
    for row in _ESCALATIONS.rows(limit, **slots):
        levels[row["referral_id"]].append(row["level"])
    return levels


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
        .filter(sent_at__gte=period.starts_at, sent_at__lt=period.ends_at)
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
        "start": period.starts_at,
        "end": period.ends_at,
        "units": [
            {"unit": unit} | _figures(unit_rows, now) for unit, unit_rows in sorted(groups.items())
        ],
        "total": _figures(rows, now),
    }
