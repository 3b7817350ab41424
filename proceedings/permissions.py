"""Who acts on the criminal track, and who sees what of it (need-to-know).

Only the units named on a tip or a criminal case see it: the unit that received the tip and
the Procuracy of its province (which supervises the resolution of tips, Criminal Procedure
Code 2015 Art. 159–160); for a criminal case, the investigating unit, its Procuracy and, once
indicted, its Court. Offenders' identity is shown only to caseworkers of those criminal-track
units; supervisors see the proceedings as statistics only, and social protection, legal aid
and the hotline see nothing of them.
"""

from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, User
from config.errors import InvalidInput, NotAllowed

from .lifecycle import STAGE_HOLDER, TIP_TRANSITIONS, TRANSITIONS, Holder, TipState, Transition
from .models import CriminalCase, Tip

INVESTIGATING_KINDS = frozenset(
    {AgencyKind.POLICE, AgencyKind.BORDER_GUARD, AgencyKind.COAST_GUARD}
)
# Bodies that receive and resolve tips (Art. 145): the investigating bodies and the Procuracy.
RECEIVING_KINDS = INVESTIGATING_KINDS | {AgencyKind.PROCURACY}
CRIMINAL_TRACK_KINDS = INVESTIGATING_KINDS | {AgencyKind.PROCURACY, AgencyKind.COURT}


def holder_unit_id(obj: Tip | CriminalCase, holder: str) -> int | None:
    if isinstance(obj, Tip):
        return obj.unit_id
    if holder == Holder.CURRENT:
        holder = STAGE_HOLDER.get(obj.state, "")
    return {
        Holder.INVESTIGATING: obj.investigating_unit_id,
        Holder.PROCURACY: obj.procuracy_unit_id,
        Holder.COURT: obj.court_unit_id,
    }.get(holder)


def is_track_caseworker(user: User) -> bool:
    return (
        user.is_active
        and user.role == Role.CASEWORKER
        and user.unit_id is not None
        and user.unit.kind in CRIMINAL_TRACK_KINDS
    )


def require_maker(user: User, obj: Tip | CriminalCase, rule: Transition) -> None:
    """The transition is made by a caseworker of the unit its row names (403 otherwise)."""
    unit_id = holder_unit_id(obj, rule.made_by)
    if not (is_track_caseworker(user) and unit_id and user.unit_id == unit_id):
        raise NotAllowed(
            _("Only %(holder)s may make the transition %(name)s.")
            % {"holder": Holder(rule.made_by).label, "name": rule.name}
        )


def require_unit_of_kind(unit, kinds: frozenset[str], what: str) -> None:
    if unit is None or not unit.is_active or unit.kind not in kinds:
        raise InvalidInput(
            _("%(unit)s cannot be %(what)s.") % {"unit": unit or "—", "what": what},
            "wrong_unit_kind",
        )


def may_make(user: User, obj: Tip | CriminalCase, rule: Transition) -> bool:
    """Could the user make the transition now: from this stage, as the unit that makes it?"""
    unit_id = holder_unit_id(obj, rule.made_by)
    return (
        obj.state in rule.sources
        and is_track_caseworker(user)
        and unit_id is not None
        and user.unit_id == unit_id
    )


def transitions_open_to(user: User, obj: Tip | CriminalCase) -> list[Transition]:
    """The transitions of the tip's or case's table the user may make now, in table order."""
    table = TIP_TRANSITIONS if isinstance(obj, Tip) else TRANSITIONS
    return [rule for rule in table.values() if may_make(user, obj, rule)]


def tip_steps_open_to(user: User, tip: Tip) -> list[str]:
    """What the user may do with the tip now: its transitions, and classifying and extending,
    which the receiving unit does while the tip is received or being verified."""
    steps = [rule.name for rule in transitions_open_to(user, tip)]
    if may_make(user, tip, TIP_TRANSITIONS["resolve"]) and tip.state in (
        TipState.RECEIVED,
        TipState.VERIFYING,
    ):
        steps.append("classify")
        if not tip.extended_at:
            steps.append("extend")
    return steps
