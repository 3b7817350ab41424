"""What every change on the criminal track shares: moments, the lock, the record of a move."""

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agencies.models import User
from config.errors import Conflict, InvalidInput

from ..lifecycle import Transition
from ..models import CriminalCase, ProceedingEvent, Tip


def moment(at: datetime | None, *, not_before: datetime | None = None) -> datetime:
    """The moment a decision was taken: now when not given, never in the future, never
    before the step it follows."""
    now = timezone.now()
    at = at or now
    if at > now:
        raise InvalidInput(_("A decision cannot be dated in the future."), "future_date")
    if not_before and at < not_before:
        raise InvalidInput(
            _("This decision cannot be dated before the step it follows."), "date_too_early"
        )
    return at


def locked(obj: models.Model, expected_version: int | None = None):
    fresh = type(obj).objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and expected_version != fresh.version:
        raise Conflict(_("It was changed by someone else; reload it."), "stale")
    return fresh


def rule_of(table: dict[str, Transition], obj, name: str) -> Transition:
    if name not in table:
        raise InvalidInput(
            _("Unknown transition: %(name)s.") % {"name": name}, "unknown_transition"
        )
    rule = table[name]
    if obj.state not in rule.sources:
        raise Conflict(
            _("The transition %(name)s is not allowed from the stage %(state)s.")
            % {"name": name, "state": obj.get_state_display()},
            "transition_not_allowed",
        )
    return rule


def require_reason(rule: Transition, reason: str) -> None:
    if rule.reason_required and not reason.strip():
        raise InvalidInput(_("Give the reason; it is recorded."), "reason_required")


def move(actor: User, obj: Tip | CriminalCase, name: str, at: datetime, reason: str = "", **given):
    """Make the django-fsm transition, raise the version, keep the event."""
    source = obj.state
    try:
        getattr(obj, name)(at=at, reason=reason, **given)
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        raise Conflict(_("It moved on meanwhile; reload it."), "conflict") from exc
    obj.version += 1
    obj.save()
    ProceedingEvent.objects.create(
        tip=obj if isinstance(obj, Tip) else None,
        criminal_case=obj if isinstance(obj, CriminalCase) else None,
        transition=name,
        source=source,
        target=obj.state,
        actor=actor,
        unit=actor.unit,
        at=at,
        reason=reason,
    )
    return source
