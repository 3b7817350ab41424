"""Tips and reports of the crime (tố giác, tin báo, kiến nghị khởi tố): received, classified,
verified and resolved within the Criminal Procedure Code's limit (2015 Code Art. 147)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Role, Unit, User
from cases.models import Case
from config.errors import InvalidInput, NotAllowed
from rulebooks.models import StepCode
from rulebooks.selectors import deadline_for, rulebook_for
from security.audit import record_event
from security.services import create_data_key

from ..lifecycle import TIP_TRANSITIONS
from ..models import TRAFFICKING_OFFENCES, Offence, Tip, TipOutcome, TipState
from ..permissions import RECEIVING_KINDS, require_maker, require_unit_of_kind
from .common import locked, moment, move, require_reason, rule_of
from .criminal_cases import OpeningData, open_criminal_case


@dataclass
class TipData:
    kind: str
    content: str = ""
    reported_at: datetime | None = None
    to_unit: Unit | None = None  # the competent unit; None: the recording unit itself
    victim_case: Case | None = None  # already checked visible to the recorder
    offence: str = ""


def record_tip(actor: User, data: TipData) -> Tip:
    """Record a tip: received at once when the recording unit is competent, else forwarded."""
    if actor.unit_id is None or actor.role not in (Role.CASEWORKER, Role.HOTLINE_OPERATOR):
        raise NotAllowed(_("Only hotline operators and caseworkers of a unit record tips."))
    unit = data.to_unit or actor.unit
    require_unit_of_kind(unit, RECEIVING_KINDS, _("the unit resolving a tip"))
    reported_at = moment(data.reported_at)
    with transaction.atomic():
        tip = Tip(
            data_key=create_data_key(),
            kind=data.kind,
            reported_at=reported_at,
            recorded_by_unit=actor.unit,
            unit=unit,
            content=data.content,
            victim_case=data.victim_case,
            created_by=actor,
        )
        tip.save()
        record_event(
            "tip.create",
            actor=actor,
            case=data.victim_case,
            obj=tip,
            details={"kind": tip.kind, "unit": unit.code},
        )
        if unit.pk == actor.unit_id:
            tip = _receive(actor, tip, reported_at)
        if data.offence:
            tip = _classify(actor, tip, data.offence, reported_at)
    return tip


def _receive(actor: User, tip: Tip, at: datetime) -> Tip:
    """On receipt the limit is set from the rule then in force, and kept with its source."""
    tip.received_at = at
    tip.due_at, tip.limit_rule = deadline_for(rulebook_for(at), StepCode.TIP_RESOLUTION, at)
    move(actor, tip, "receive", at)
    record_event(
        "tip.receive",
        actor=actor,
        obj=tip,
        details={"due_at": tip.due_at, "citation": tip.limit_rule.citation},
    )
    return tip


def receive_tip(actor: User, tip: Tip, *, at: datetime | None = None) -> Tip:
    with transaction.atomic():
        tip = locked(tip)
        require_maker(actor, tip, rule_of(TIP_TRANSITIONS, tip, "receive"))
        return _receive(actor, tip, moment(at, not_before=tip.reported_at))


def _classify(actor: User, tip: Tip, offence: str, at: datetime) -> Tip:
    if offence not in Offence.values:
        raise InvalidInput(_("Unknown classification."), "invalid")
    tip.offence, tip.classified_at = offence, at
    tip.save(update_fields=["offence", "classified_at"])
    record_event("tip.classify", actor=actor, obj=tip, details={"offence": offence})
    return tip


def classify_tip(actor: User, tip: Tip, *, offence: str, at: datetime | None = None) -> Tip:
    """Phân loại: trafficking under Penal Code Art. 150 or 151, another offence, or none."""
    with transaction.atomic():
        tip = locked(tip)
        require_maker(actor, tip, TIP_TRANSITIONS["start_verification"])
        if tip.state not in (TipState.RECEIVED, TipState.VERIFYING):
            rule_of(TIP_TRANSITIONS, tip, "start_verification")
        return _classify(actor, tip, offence, moment(at, not_before=tip.received_at))


def transition_tip(
    actor: User, tip: Tip, name: str, *, at: datetime | None = None, reason: str = ""
) -> Tip:
    """Start verification, suspend or resume; receiving and resolving have their own calls."""
    if name in ("receive", "resolve"):
        raise InvalidInput(_("Use the tip's own call for %(name)s.") % {"name": name}, "invalid")
    with transaction.atomic():
        tip = locked(tip)
        rule = rule_of(TIP_TRANSITIONS, tip, name)
        require_maker(actor, tip, rule)
        require_reason(rule, reason)
        if name == "start_verification" and not tip.offence:
            raise InvalidInput(_("Classify the tip first."), "missing_records")
        at = moment(at, not_before=tip.received_at)
        if name == "start_verification":
            tip.verification_started_at = at
        move(actor, tip, name, at, reason)
        record_event(
            "tip.transition", actor=actor, obj=tip, reason=reason, details={"transition": name}
        )
    return tip


def extend_tip(actor: User, tip: Tip, *, reason: str, at: datetime | None = None) -> Tip:
    """Gia hạn: once, for a complex matter, to the extended limit counted from receipt."""
    with transaction.atomic():
        tip = locked(tip)
        require_maker(actor, tip, TIP_TRANSITIONS["resolve"])
        if tip.state not in (TipState.RECEIVED, TipState.VERIFYING) or tip.extended_at:
            raise InvalidInput(_("This tip cannot be extended now."), "not_extendable")
        if not reason.strip():
            raise InvalidInput(_("Give the reason; it is recorded."), "reason_required")
        at = moment(at, not_before=tip.received_at)
        if at > tip.due_at:
            raise InvalidInput(_("The limit has already passed."), "limit_passed")
        due_at, rule = deadline_for(
            rulebook_for(tip.received_at), StepCode.TIP_RESOLUTION_EXTENDED, tip.received_at
        )
        tip.due_at, tip.limit_rule = due_at, rule
        tip.extended_at, tip.extension_reason = at, reason
        tip.overdue_at = None
        tip.version += 1
        tip.save()
        record_event("tip.extend", actor=actor, obj=tip, reason=reason, details={"due_at": due_at})
    return tip


def resolve_tip(
    actor: User,
    tip: Tip,
    *,
    outcome: str,
    at: datetime | None = None,
    decision_number: str = "",
    opening: OpeningData | None = None,
    expected_version: int | None = None,
) -> Tip:
    """Giải quyết: decide to open a criminal case, not to open one, or transfer the tip.
    Opening a case needs the tip classified as trafficking."""
    with transaction.atomic():
        tip = locked(tip, expected_version)
        require_maker(actor, tip, rule_of(TIP_TRANSITIONS, tip, "resolve"))
        if outcome not in TipOutcome.values:
            raise InvalidInput(_("Unknown outcome."), "invalid")
        at = moment(at, not_before=tip.received_at)
        if outcome == TipOutcome.CASE_OPENED and tip.offence not in TRAFFICKING_OFFENCES:
            raise InvalidInput(
                _("Only a tip classified as trafficking opens a criminal case here."),
                "not_trafficking",
            )
        tip.resolved_at, tip.outcome = at, outcome
        tip.decision_number, tip.deciding_unit = decision_number, actor.unit
        move(actor, tip, "resolve", at)
        record_event(
            "tip.resolve",
            actor=actor,
            obj=tip,
            details={"outcome": outcome, "on_time": tip.resolved_on_time},
        )
        if outcome == TipOutcome.CASE_OPENED:
            open_criminal_case(
                actor, tip, opening or OpeningData(), at=at, decision_number=decision_number
            )
    return tip
