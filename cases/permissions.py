"""Who may move a case, and who may add records to it.

A caseworker acts only on cases their unit holds, and only in the stages for which their kind
of agency is responsible under the case's rulebook. Supervisors close and reopen; they never
change case content. Administrators never act on cases.
"""

from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from agencies.models import Role, User
from config.errors import Conflict, InvalidInput, NotAllowed
from rulebooks.selectors import responsible_kinds_for_stage

from .models import Case, CaseState
from .selectors import active_holding, visible_cases

SUPERVISOR_TRANSITIONS = frozenset({"close", "reopen"})


def transitions_of(case: Case) -> dict:
    """Every transition of the state machine, by name, with its metadata."""
    return {t.name: t for t in case.get_all_state_transitions()}


def transition_method(case: Case, name: str):
    """The bound transition, or 409 when it does not start from the current state."""
    transitions = transitions_of(case)
    if name not in transitions:
        raise InvalidInput(
            _("Unknown transition: %(name)s.") % {"name": name}, "unknown_transition"
        )
    available = {t.name for t in case.get_available_state_transitions()}
    if name not in available:
        raise Conflict(
            _("The transition %(name)s is not allowed from the stage %(state)s.")
            % {"name": name, "state": case.get_state_display()},
            "transition_not_allowed",
        )
    return getattr(case, name)


def may_transition(user: User, case: Case, name: str, *, holds: bool | None = None) -> bool:
    """`holds`: whether the user's unit holds the case now, when the caller already knows."""
    if not user.is_active or user.unit_id is None:
        return False
    if holds is None:
        holds = active_holding(user, case) is not None
    if user.role == Role.SUPERVISOR:
        return name in SUPERVISOR_TRANSITIONS and (holds or _supervises(user, case))
    if user.role not in (Role.CASEWORKER, Role.HOTLINE_OPERATOR) or not holds:
        return False
    if name == "reopen":
        return user.unit_id == case.lead_unit_id
    if case.state == CaseState.INTAKE or (name == "close" and user.unit_id == case.lead_unit_id):
        return True
    return user.unit.kind in _responsible_kinds(case, name)


def _responsible_kinds(case: Case, name: str) -> set[str]:
    """Kinds responsible for the stage the case leaves or, except on closing, the one it enters."""
    kinds = set(responsible_kinds_for_stage(case.rulebook, case.state))
    target = transitions_of(case)[name].target
    if isinstance(target, str) and target != CaseState.CLOSED:
        kinds |= set(responsible_kinds_for_stage(case.rulebook, target))
    return kinds


def _supervises(user: User, case: Case) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


def require_transition_actor(user: User, case: Case, name: str) -> None:
    if not may_transition(user, case, name):
        raise NotAllowed(
            _("Your unit may not make the transition %(name)s on this case.") % {"name": name}
        )


def require_holder(user: User, case: Case) -> None:
    """Adding records needs a caseworker or operator of a unit that holds the case now."""
    if user.role not in (Role.CASEWORKER, Role.HOTLINE_OPERATOR):
        raise NotAllowed(_("Only caseworkers of a unit holding the case may add records."))
    if active_holding(user, case) is None:
        raise NotAllowed(_("Your unit does not hold this case."))


def available_transitions(user: User, case: Case) -> list[str]:
    """Transitions the user may make now (the records they need may still be missing)."""
    try:
        names = [t.name for t in case.get_available_state_transitions()]
    except TransitionNotAllowed:
        return []
    holds = active_holding(user, case) is not None
    return [name for name in names if may_transition(user, case, name, holds=holds)]
