"""Changes to the rulebooks: change_deadline is the one service that changes a rule, by adding
a version (never editing one) and recording the change in the audit log."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext_lazy as _

from agencies.models import Role, User
from config.errors import InvalidInput, NotAllowed
from security.audit import record_event

from .models import Rulebook, RuleStep
from .selectors import rulebook_code


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
    old = _latest_version(rulebook_code(rulebook), step)
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
        sharing_basis_id=old.sharing_basis_id,
        effective_from=max(timezone.now(), old.effective_from),
        changed_by=actor,
        change_reason=reason.strip(),
    )
    new.full_clean()
    new.save()
    _audit_change(actor, old, new, reason)
    return new
