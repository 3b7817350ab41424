"""The case timeline (dòng thời gian), built in one place from the case and its handoffs.

Every step of a case in time order: intakes, records, stage changes, referrals and their
escalations, each with the unit and user and, where a rule sets a deadline, the deadline,
its legal source and whether it was met (and by how much it was missed).
"""

from datetime import datetime

from django.utils import timezone

from agencies.models import User
from cases.models import Case
from cases.visibility import CaseView
from crossborder.selectors import crossborder_events
from referrals.models import Referral, ReferralStatus
from rulebooks.selectors import stage_deadlines
from security.fields import unless_erased


def case_timeline(case: Case, view: CaseView) -> list[dict]:
    """Every step of a case in time order: intakes, records, stage changes, handoffs and
    cooperation across the border.

    Medical and psychological services, and referrals for them, appear only to those who may
    see such records (cases.visibility).
    """
    deadlines = stage_deadlines(case)
    events = _stage_changes(case, deadlines) + _records(case, view)
    events += _open_stage_deadline(case, deadlines)
    shown = [
        r for r in _referrals(case) if view.shows_service(r.purpose, r.from_unit_id, r.to_unit_id)
    ]
    events += _events_of(shown)
    events += crossborder_events(case)
    return sorted(events, key=lambda e: (e["at"] is None, e["at"] or 0))


def _stage_changes(case: Case, deadlines: dict) -> list[dict]:
    """Each move of the stage; leaving a stage that has a deadline says whether it was met."""
    events = []
    for change in case.state_changes.select_related("unit", "actor", "data_key"):
        entry = _event(change.at, "transition", change.transition, change.unit, change.actor)
        entry.update(
            source=change.source, target=change.target, reason=unless_erased(change, "reason")
        )
        if deadline := deadlines.get(change.source):
            met = change.at <= deadline.due_at
            entry.update(due_at=deadline.due_at, citation=deadline.citation, met=met)
        events.append(entry)
    return events


def _records(case: Case, view: CaseView) -> list[dict]:
    """The intakes and records of the case, each with when, what, which unit and who."""
    return (
        [
            _event(i.received_at, "intake", i.channel, i.unit, i.received_by)
            for i in case.intakes.select_related("unit", "received_by")
        ]
        + [
            _event(s.screened_at, "screening", s.recommendation, None, s.screened_by)
            for s in case.screenings.select_related("screened_by")
        ]
        + [
            _event(v.recorded_at, "verification", v.outcome, v.unit, v.recorded_by)
            for v in case.verifications.select_related("unit", "recorded_by")
        ]
        + [
            _event(i.decided_at, "identification", i.document_type, i.issuing_unit, i.recorded_by)
            for i in case.identifications.select_related("issuing_unit", "recorded_by")
        ]
        + [
            _event(m.starts_at, "protection", m.kind, m.unit, m.decided_by)
            | {"ends_at": m.ends_at, "citation": m.limit_citation}
            for m in case.protections.select_related("unit", "decided_by")
        ]
        + [
            _event(
                s.requested_at, "service", f"{s.kind}:{s.status}", s.provider_unit, s.recorded_by
            )
            for s in case.services.select_related("provider_unit", "recorded_by")
            if view.shows_service(s.kind, s.provider_unit_id)
        ]
    )


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
    return _events_of(_referrals(case))


_PEOPLE = ("sent_by", "accepted_by", "rejected_by", "completed_by", "withdrawn_by")


def _referrals(case: Case) -> list[Referral]:
    """The case's referrals with their units, rule, escalations and the people of each step.
    The people come in one query for all five roles: joining the user table five times made
    PostgreSQL plan a nine-way join for every timeline (issue 15)."""
    referrals = list(
        case.referrals.select_related("from_unit", "to_unit", "rule", "data_key")
        .prefetch_related("escalations")
        .order_by("pk")
    )
    ids = {getattr(r, f"{role}_id") for r in referrals for role in _PEOPLE} - {None}
    people = User.objects.in_bulk(ids) if ids else {}
    for referral in referrals:
        for role in _PEOPLE:
            person_id = getattr(referral, f"{role}_id")
            Referral._meta.get_field(role).set_cached_value(
                referral, people.get(person_id) if person_id else None
            )
    return referrals


def _events_of(referrals: list[Referral]) -> list[dict]:
    now = timezone.now()
    events = []
    for referral in referrals:
        events += _referral_events(referral, now)
    return sorted(events, key=lambda event: event["at"])


def _referral_events(referral: Referral, now: datetime) -> list[dict]:
    """The referral's sending, its answer, its end and its escalations."""
    base = {
        "referral": str(referral.uuid),
        "what": referral.purpose,
        "due_at": referral.due_at,
        "citation": referral.rule.citation,
        "rule_is_default": referral.rule.is_default,
    }
    return [base | event for event in _handoff_steps(referral, now)] + [
        base | _escalation_step(referral, escalation) for escalation in referral.escalations.all()
    ]


def _handoff_steps(referral: Referral, now: datetime) -> list[dict]:
    to = referral.to_unit.code if referral.to_unit else None
    sender = referral.from_unit.code
    sent_met = _acceptance_met(referral, now)
    waiting_late = sent_met is False and not referral.accepted_at
    steps = [
        {
            "at": referral.sent_at,
            "kind": "referral_sent",
            "unit": sender,
            "user": referral.sent_by.username,
            "to_unit": to,
            "to_kind": referral.to_kind,
            "met": sent_met,
            "late_by_seconds": _late_by(now, referral.due_at) if waiting_late else None,
        }
    ]
    # kind, when, by whom, at which unit, answered against the deadline, with its reason
    later = [
        ("referral_accepted", referral.accepted_at, referral.accepted_by, to, True, ""),
        (
            "referral_rejected",
            referral.rejected_at,
            referral.rejected_by,
            to,
            True,
            unless_erased(referral, "reason"),
        ),
        ("referral_completed", referral.completed_at, referral.completed_by, to, False, ""),
        (
            "referral_withdrawn",
            referral.withdrawn_at,
            referral.withdrawn_by,
            sender,
            False,
            unless_erased(referral, "reason"),
        ),
    ]
    for kind, at, user, unit, answer, reason in later:
        if at:
            steps.append(
                {
                    "at": at,
                    "kind": kind,
                    "unit": unit,
                    "user": user.username,
                    "met": at <= referral.due_at if answer else None,
                    "late_by_seconds": _late_by(at, referral.due_at) if answer else None,
                    "reason": reason,
                }
            )
    return steps


def _escalation_step(referral: Referral, escalation) -> dict:
    return {
        "at": escalation.created_at,
        "kind": "escalation",
        "level": escalation.level,
        "unit": (referral.to_unit.code if referral.to_unit else None) or referral.to_kind,
        "user": None,
        "met": False,
        "late_by_seconds": _late_by(escalation.created_at, referral.due_at),
    }
