"""Who may move a case, and who may add records to it.

A caseworker acts only on cases their unit holds, and makes a transition only as one of the
actors its row in cases.lifecycle.TRANSITIONS names. Supervisors close and reopen; they never
change case content. Administrators never act on cases.
"""

from django.db.models import BigAutoField
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from agencies.models import Role, User
from config.errors import Conflict, InvalidInput, NotAllowed
from config.sql import CompiledRead, Slot
from rulebooks.selectors import responsible_kinds_for_stage

from .lifecycle import TRANSITIONS, Actor, CaseTransition
from .models import Case, CaseState
from .requirements import missing_for
from .selectors import active_holding, case_scope

CASE_WORKING_ROLES = (Role.CASEWORKER, Role.HOTLINE_OPERATOR)


def transition_rule(case: Case, name: str) -> CaseTransition:
    """The transition's row, or 400 for an unknown name, 409 when it does not start from the
    case's current stage."""
    if name not in TRANSITIONS:
        raise InvalidInput(
            _("Unknown transition: %(name)s.") % {"name": name}, "unknown_transition"
        )
    rule = TRANSITIONS[name]
    if case.state not in rule.sources:
        raise Conflict(
            _("The transition %(name)s is not allowed from the stage %(state)s.")
            % {"name": name, "state": case.get_state_display()},
            "transition_not_allowed",
        )
    return rule


def may_transition(
    user: User, case: Case, name: str, *, holds: bool | None = None, sees: bool | None = None
) -> bool:
    """`holds`: whether the user's unit holds the case now, `sees`: whether the user may see
    the case now (may_see), when the caller already knows."""
    if not user.is_active or user.unit_id is None:
        return False
    rule = TRANSITIONS[name]
    if user.role == Role.SUPERVISOR:
        # A case their unit holds is among those they see (visible_cases), and a supervisor
        # acts on every case they see: when the caller knows neither, one visibility query
        # answers both.
        if Actor.SUPERVISOR not in rule.made_by:
            return False
        return bool(holds) or (may_see(user, case) if sees is None else sees)
    if holds is None:
        holds = active_holding(user, case) is not None
    if user.role not in CASE_WORKING_ROLES or not holds:
        return False
    if Actor.LEAD in rule.made_by and user.unit_id == case.lead_unit_id:
        return True
    return Actor.RESPONSIBLE in rule.made_by and _is_responsible(user, case, rule)


def _is_responsible(user: User, case: Case, rule: CaseTransition) -> bool:
    """At intake any holding unit; later the kinds responsible for the stage the case leaves
    or, except on closing, the one it enters (under the case's rulebook)."""
    if case.state == CaseState.INTAKE:
        return True
    kinds = set(responsible_kinds_for_stage(case.rulebook, case.state))
    if rule.is_onward:
        kinds |= set(responsible_kinds_for_stage(case.rulebook, rule.target))
    return user.unit.kind in kinds


# Whether a case is among those a scope (cases.selectors.case_scope) lets one see: asked on
# every transition and case page, its SQL is compiled once per scope shape (issue 15: building
# and compiling it through the ORM cost more CPU than the database's answer).
_SEEN = CompiledRead(
    lambda scope: Case.objects.filter(scope, pk=Slot("case", BigAutoField())).values("pk")[:1]
)


def may_see(user: User, case: Case) -> bool:
    """Whether the user may know the case exists (cases.selectors.visible_cases), read now."""
    return bool(_SEEN.rows(case_scope(user), case=case.pk))


def require_transition_actor(
    user: User, case: Case, name: str, *, sees: bool | None = None
) -> None:
    if not may_transition(user, case, name, sees=sees):
        raise NotAllowed(
            _("Your unit may not make the transition %(name)s on this case.") % {"name": name}
        )


def require_holder(user: User, case: Case) -> None:
    """Adding records needs a caseworker or operator of a unit that holds the case now."""
    if user.role not in CASE_WORKING_ROLES:
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


def transition_choices(user: User, case: Case) -> list[dict]:
    """The transitions the user may make now, each with its label and what it still needs."""
    return [
        {"name": name, "label": str(TRANSITIONS[name].label), "missing": missing_for(case, name)}
        for name in available_transitions(user, case)
    ]


def may_add_records(user: User, case: Case) -> bool:
    """Whether the user may add records to the case now (the pages offer the forms)."""
    return user.role in CASE_WORKING_ROLES and active_holding(user, case) is not None
