"""What must be recorded before a transition (hồ sơ bắt buộc trước khi chuyển giai đoạn).

Each transition names its requirements in cases.lifecycle.TRANSITIONS; each requirement is a
check here that names what is missing in words a caseworker understands.
"""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from .lifecycle import TRANSITIONS
from .models import Case, CaseState, ClosureReason, VerificationOutcome


def _screening(case: Case, **_kw) -> bool:
    return case.screenings.exists()


def _signs_of_trafficking(case: Case, **_kw) -> bool:
    if case.state == CaseState.RESCUE:
        return case.rescues.filter(rescued_at__isnull=False).exists()
    return case.verifications.exclude(outcome=VerificationOutcome.NOT_TRAFFICKING).exists()


def _rescue_request(case: Case, **_kw) -> bool:
    return case.rescues.exists()


def _protection_measure(case: Case, **_kw) -> bool:
    return case.protections.exists()


def _rescued(case: Case, **_kw) -> bool:
    if case.state != CaseState.RESCUE:
        return True
    return case.rescues.filter(rescued_at__isnull=False).exists()


def _support_service(case: Case, **_kw) -> bool:
    return case.services.exists()


def _closure_reason(case: Case, *, closure_reason: str = "", duplicate_of=None, **_kw) -> bool:
    if closure_reason not in ClosureReason.values:
        return False
    if closure_reason == ClosureReason.DUPLICATE:
        return duplicate_of is not None and duplicate_of.pk != case.pk
    if closure_reason == ClosureReason.NOT_A_VICTIM:
        return (
            case.verifications.filter(outcome=VerificationOutcome.NOT_TRAFFICKING).exists()
            or case.identifications.filter(is_victim=False).exists()
        )
    return True


CHECKS: dict[str, tuple[Callable[..., bool], str]] = {
    "screening": (_screening, _("a screening")),
    "signs_of_trafficking": (
        _signs_of_trafficking,
        _("a verification finding signs of trafficking, or a completed rescue"),
    ),
    "rescue_request": (_rescue_request, _("a rescue request")),
    "protection_measure": (_protection_measure, _("a protection measure")),
    "rescued": (_rescued, _("the date of the rescue")),
    "support_service": (_support_service, _("a support service")),
    "closure_reason": (
        _closure_reason,
        _(
            "a closure reason (for 'not a victim', the verification or identification finding; "
            "for 'duplicate', the other case)"
        ),
    ),
}


def missing_for(case: Case, transition_name: str, *, reason: str = "", **given) -> list[str]:
    """Names of what must still be recorded (or typed) before the transition may be made."""
    rule = TRANSITIONS[transition_name]
    missing = [
        str(label)
        for code in rule.requires
        for check, label in [CHECKS[code]]
        if not check(case, **given)
    ]
    if rule.reason_required and not reason.strip():
        missing.append(str(_("a reason")))
    return missing
