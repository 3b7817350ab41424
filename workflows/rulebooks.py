"""Rulebooks (bộ quy tắc): which one governs a case, the rule for a step, deadlines, support.

Selectors read the rule in force at a moment; change_deadline is the one service that changes
a rule, by adding a version (never editing one) and recording the change in the audit log.
Every figure and citation lives in the database (workflows.models), none in this module.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext_lazy as _

from agencies.models import Role, User
from config.errors import InvalidInput, NotAllowed
from places.models import VIETNAM_TZ

from .models import Beneficiary, Rulebook, RuleStep, ServiceEligibility, SupportServiceKind


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("A rulebook moment must be timezone-aware.")
    return moment


def _code(rulebook: Rulebook | str) -> str:
    return rulebook.code if isinstance(rulebook, Rulebook) else rulebook


def rulebook_for(received_at: datetime) -> Rulebook:
    """The rulebook governing a case received at that moment, by its Vietnam date.

    qcph-2548 for receptions until 2025-06-30, law-2024 from 2025-07-01 (as in the data).
    """
    day = _aware(received_at).astimezone(VIETNAM_TZ).date()
    rulebook = (
        Rulebook.objects.filter(effective_from__lte=day)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        .first()
    )
    if rulebook is None:
        raise InvalidInput(
            _("No rulebook governs a case received on %(day)s.") % {"day": day}, "no_rulebook"
        )
    return rulebook


def rule_for(rulebook: Rulebook | str, step: str, at: datetime | None = None) -> RuleStep:
    """The version of the step's rule in force at `at` (default: now)."""
    at = timezone.now() if at is None else _aware(at)
    rule = (
        RuleStep.objects.filter(rulebook_id=_code(rulebook), step=step, effective_from__lte=at)
        .order_by("-version")
        .first()
    )
    if rule is None:
        raise InvalidInput(
            _("The rulebook %(rulebook)s has no rule for the step %(step)s at that time.")
            % {"rulebook": _code(rulebook), "step": step},
            "no_rule",
        )
    return rule


def deadline_for(rulebook: Rulebook | str, step: str, start: datetime) -> tuple[datetime, RuleStep]:
    """When a step that started at `start` is due, and the rule version that says so.

    The rule is the version in force when the step started, so a deadline never moves when a
    rule changes later; keep the returned rule beside the deadline to show which rule set it.
    """
    rule = rule_for(rulebook, step, at=start)
    return start + rule.deadline, rule


def _beneficiary(*, identified: bool, accompanying_minor: bool, abroad: bool) -> str:
    if identified:
        return (
            Beneficiary.ACCOMPANYING_MINOR if accompanying_minor else Beneficiary.IDENTIFIED_VICTIM
        )
    if abroad:
        return Beneficiary.BEING_IDENTIFIED_ABROAD
    return Beneficiary.BEING_IDENTIFIED_IN_VIET_NAM


def eligible_services(
    rulebook: Rulebook | str, *, identified: bool, accompanying_minor: bool, abroad: bool
) -> list[str]:
    """Support services (SupportServiceKind values, in the law's order) the person may receive.

    `identified`: the victim has been identified (xác định là nạn nhân), otherwise the person
    is in the process of being identified; `accompanying_minor`: a person under 18 going with
    the victim, entitled as their status allows; `abroad`: the person is outside Viet Nam.
    """
    beneficiary = _beneficiary(
        identified=identified, accompanying_minor=accompanying_minor, abroad=abroad
    )
    allowed = set(
        ServiceEligibility.objects.filter(
            rulebook_id=_code(rulebook), beneficiary=beneficiary
        ).values_list("service", flat=True)
    )
    return [service for service in SupportServiceKind.values if service in allowed]


def may_change_rules(user: User) -> bool:
    """Administrators (and superusers) manage rulebooks (DESIGN.md §1)."""
    return user.is_active and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def _require_administrator(actor: User) -> None:
    if not may_change_rules(actor):
        raise NotAllowed(_("Only administrators change rulebooks."))


def _require_grounds(citation: str, reason: str) -> None:
    if not citation.strip() or not reason.strip():
        raise InvalidInput(_("A rule change needs a citation and a reason."), "no_grounds")


def _latest_version(code: str, step: str) -> RuleStep:
    """The newest version, read after locking the rulebook so that changes queue up."""
    Rulebook.objects.select_for_update().filter(code=code).first()
    rule = RuleStep.objects.filter(rulebook_id=code, step=step).order_by("-version").first()
    if rule is None:
        raise InvalidInput(
            _("The rulebook %(rulebook)s has no rule for the step %(step)s at that time.")
            % {"rulebook": code, "step": step},
            "no_rule",
        )
    return rule


def _audit_change(actor: User, old: RuleStep, new: RuleStep, reason: str) -> None:
    from security.audit import record_event

    record_event(
        "rulebook.change",
        actor=actor,
        obj=new,
        reason=reason,
        details={
            "rulebook": new.rulebook_id,
            "step": new.step,
            "old_version": old.version,
            "new_version": new.version,
            "old_deadline": duration_iso_string(old.deadline),
            "new_deadline": duration_iso_string(new.deadline),
            "old_citation": old.citation,
            "citation": new.citation,
            "is_default": new.is_default,
            "effective_from": new.effective_from,
        },
    )


@transaction.atomic
def change_deadline(
    rulebook: Rulebook | str,
    step: str,
    new_deadline: timedelta,
    *,
    actor: User,
    citation: str,
    reason: str,
    is_default: bool | None = None,
    wording: str | None = None,
) -> RuleStep:
    """Change a step's deadline from now on, as a new version of its rule (audited).

    Deadlines already set keep the version they were computed with. `is_default` (whether the
    new figure is a configurable default rather than law) and `wording` (what the source says)
    stay as in the previous version unless given.
    """
    _require_administrator(actor)
    _require_grounds(citation, reason)
    old = _latest_version(_code(rulebook), step)
    new = RuleStep(
        rulebook_id=old.rulebook_id,
        step=old.step,
        version=old.version + 1,
        responsible_kinds=old.responsible_kinds,
        responsible_level=old.responsible_level,
        deadline=new_deadline,
        wording=old.wording if wording is None else wording.strip(),
        is_default=old.is_default if is_default is None else is_default,
        citation=citation.strip(),
        effective_from=max(timezone.now(), old.effective_from),
        changed_by=actor,
        change_reason=reason.strip(),
    )
    new.full_clean()
    new.save()
    _audit_change(actor, old, new, reason)
    return new
