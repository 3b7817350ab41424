"""The case timeline (dòng thời gian), built in one place from the case and its handoffs.

Every step of a case in time order: intakes, records, stage changes, referrals and their
escalations, each with the unit and user and, where a rule sets a deadline, the deadline,
its legal source and whether it was met (and by how much it was missed).
"""

from datetime import datetime

from django.utils import timezone

from cases.models import Case
from referrals.models import Referral, ReferralStatus
from rulebooks.selectors import stage_deadlines


def case_timeline(case: Case) -> list[dict]:
    """Every step of a case in time order: intakes, records, stage changes and handoffs.

    Each entry names the unit and user, and where a rule sets a deadline, the deadline,
    its legal source and whether it was met.
    """
    deadlines = stage_deadlines(case)
    events = [
        _event(i.received_at, "intake", i.channel, i.unit, i.received_by)
        for i in case.intakes.select_related("unit", "received_by")
    ]
    for change in case.state_changes.select_related("unit", "actor"):
        entry = _event(change.at, "transition", change.transition, change.unit, change.actor)
        entry.update(source=change.source, target=change.target, reason=change.reason)
        if deadline := deadlines.get(change.source):
            entry.update(
                due_at=deadline.due_at,
                citation=deadline.citation,
                met=change.at <= deadline.due_at,
            )
        events.append(entry)
    events += [
        _event(s.screened_at, "screening", s.recommendation, None, s.screened_by)
        for s in case.screenings.select_related("screened_by")
    ]
    events += [
        _event(v.recorded_at, "verification", v.outcome, v.unit, v.recorded_by)
        for v in case.verifications.select_related("unit", "recorded_by")
    ]
    events += [
        _event(i.decided_at, "identification", i.document_type, i.issuing_unit, i.recorded_by)
        for i in case.identifications.select_related("issuing_unit", "recorded_by")
    ]
    events += [
        _event(m.starts_at, "protection", m.kind, m.unit, m.decided_by)
        | {"ends_at": m.ends_at, "citation": m.limit_citation}
        for m in case.protections.select_related("unit", "decided_by")
    ]
    events += [
        _event(s.requested_at, "service", f"{s.kind}:{s.status}", s.provider_unit, s.recorded_by)
        for s in case.services.select_related("provider_unit", "recorded_by")
    ]
    events += _open_stage_deadline(case, deadlines)
    events += referral_events(case)
    return sorted(events, key=lambda e: (e["at"] is None, e["at"] or 0))


def _event(at, kind: str, what: str, unit, user) -> dict:
    return {
        "at": at,
        "kind": kind,
        "what": what,
        "unit": unit.code if unit else None,
        "user": user.username if user else None,
    }


def _open_stage_deadline(case: Case, deadlines: dict) -> list[dict]:
    """The deadline of the stage the case is in now, still running or already missed."""
    deadline = deadlines.get(case.state)
    if deadline is None:
        return []
    entry = _event(deadline.due_at, "deadline", case.state, None, None)
    entry.update(
        citation=deadline.citation, met=None if deadline.due_at > timezone.now() else False
    )
    return [entry]


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


def referral_events(case: Case) -> list[dict]:
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
