"""Taking a hotline call (tiếp nhận cuộc gọi 111) as one job: open the case, record the
screening checklist and the caller's word on consent, and hand the case to the unit the
rulebook makes responsible for verifying it, with the deadline of that step.

The hotline never keeps a case (referrals.services: its hold ends once the handover is
accepted). Who receives the handover is rulebook data: the first responsible kind of the
verification step, at the step's level, in the province the case belongs to.
"""

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from agencies.models import Unit, User
from cases.inputs import IntakeData
from cases.models import Case, ConsentInformed, ConsentStatus
from cases.selectors import active_holding
from cases.services import (
    IntakeResult,
    create_intake,
    record_call_screening,
    record_consent,
    record_screening,
)
from places.models import Province
from rulebooks.models import RuleStep, StepCode
from rulebooks.purposes import ReferralPurpose
from rulebooks.selectors import rule_for

from . import messages
from .models import Referral
from .selectors import case_province_today
from .services import holders_staff, send_referral

# The stage the hotline hands a case over for, and the referral's purpose.
HANDOVER_STEP = StepCode.VERIFICATION
HANDOVER_PURPOSE = ReferralPurpose.VERIFICATION


class CallerConsent(models.TextChoices):
    """What the caller said about sharing the case with the responsible agency."""

    GIVEN = "given", _("Agrees to share with the responsible agency")
    REFUSED = "refused", _("Refuses to share")
    NOT_STATED = "not_stated", _("Not asked or could not say")


@dataclass
class HotlineCall:
    intake: IntakeData
    indicators: list[str] = field(default_factory=list)
    consent: str = CallerConsent.NOT_STATED
    consent_given_by: str = "reporter"


@dataclass
class HotlineCallResult:
    case: Case
    possible_duplicates: list[Case]
    referral: Referral | None
    # Why the case was not handed over, when it was not.
    not_handed_over: str = ""


@dataclass(frozen=True)
class Handover:
    rule: RuleStep
    kind: str
    province: Province | None
    unit: Unit | None


def handover_target(case: Case) -> Handover:
    """Whom the rulebook makes responsible for verifying the case: its lead kind, in the
    case's province as it is today; one unit when the province has exactly one of that kind
    at the step's level, else the kind in the province (its supervisor routes it)."""
    rule = rule_for(case.rulebook, HANDOVER_STEP)
    kind = rule.responsible_kinds[0]
    province = case_province_today(case)
    units = list(
        Unit.objects.filter(
            kind=kind, province=province, level=rule.responsible_level, is_active=True
        )[:2]
    )
    return Handover(rule, kind, province, units[0] if len(units) == 1 else None)


def take_hotline_call(
    actor: User, call: HotlineCall, *, idempotency_key: str = ""
) -> HotlineCallResult:
    """Open the case of a call and hand it over, all or nothing, in one transaction; a call
    linked to an existing case (`intake.link_to_case`) is added to it, not handed over."""
    with transaction.atomic():
        opened = create_intake(actor, call.intake, idempotency_key=idempotency_key)
        case = opened.case
        if opened.replayed:
            referral = case.referrals.filter(from_unit=actor.unit).first()
            return HotlineCallResult(case, [], referral)
        if not opened.created_case:
            return _follow_up(actor, opened, call)
        if call.indicators or call.intake.purposes:
            record_screening(actor, case, indicators=call.indicators, purposes=call.intake.purposes)
        return _hand_over(actor, case, call, opened.possible_duplicates)


def _follow_up(actor: User, opened: IntakeResult, call: HotlineCall) -> HotlineCallResult:
    """Another call about a case already taken: added to the case, never handed over again
    (its handover was decided with the first call) and never a hold of the case for the
    hotline. Once the case has been handed over, the call's screening answers are recorded
    with the call and the people of the units holding the case are told."""
    case, screening = opened.case, {"indicators": call.indicators, "purposes": call.intake.purposes}
    handed_over = active_holding(actor, case) is None
    if handed_over:
        if call.indicators or call.intake.purposes:
            record_call_screening(actor, opened.intake, **screening)
        messages.enqueue_follow_up(opened.intake, holders_staff(case))
    elif call.indicators or call.intake.purposes:
        record_screening(actor, case, **screening)
    reason = _("The call was added to the existing case; it is not handed over again.")
    return HotlineCallResult(case, opened.possible_duplicates, None, str(reason))


def _hand_over(actor: User, case: Case, call: HotlineCall, duplicates) -> HotlineCallResult:
    target = handover_target(case)
    if target.province is None:
        reason = _("No province given: the case stays with the hotline until one is known.")
        return HotlineCallResult(case, duplicates, None, str(reason))
    consent = None
    if call.consent in (CallerConsent.GIVEN, CallerConsent.REFUSED):
        consent = record_consent(
            actor,
            case,
            recipient_kind=target.kind,
            purpose=HANDOVER_PURPOSE,
            status=ConsentStatus.GIVEN
            if call.consent == CallerConsent.GIVEN
            else ConsentStatus.REFUSED,
            given_by=call.consent_given_by,
            # On the telephone, in the caller's language (Vietnamese unless they said otherwise).
            informed_how=ConsentInformed.ORALLY,
            informed_language=call.intake.victim.language or "vi",
        )
    if consent is None and target.rule.sharing_basis is None:
        reason = _("The rulebook allows this handover only with consent: ask the caller.")
        return HotlineCallResult(case, duplicates, None, str(reason))
    if call.consent == CallerConsent.REFUSED:
        reason = _("The caller refused to share: the case stays with the hotline.")
        return HotlineCallResult(case, duplicates, None, str(reason))
    referral = send_referral(
        actor,
        case,
        purpose=HANDOVER_PURPOSE,
        to_unit=target.unit,
        to_kind="" if target.unit else target.kind,
        to_province=None if target.unit else target.province,
        consent=consent,
        # Without the caller's word, the handover rests on the legal basis the step's rule
        # names (urgent verification); the rule that obliges it is the justification.
        legal_basis=None if consent else target.rule.sharing_basis,
        justification="" if consent else str(target.rule.citation),
        step=HANDOVER_STEP,
    )
    return HotlineCallResult(case, duplicates, referral)
