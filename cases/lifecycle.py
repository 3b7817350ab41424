"""The case state machine as data: the stages of a case and every transition between them.

One row per transition says where it may start, where it leads, who may make it, what must be
recorded first and whether a reason must be typed. The model binds its django-fsm transitions
to these rows (cases.models), the permission check (cases.permissions), the requirement check
(cases.requirements), the transition service and the API all read them from here: a rule of
the lifecycle is changed in this file and nowhere else.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE


class CaseState(models.TextChoices):
    INTAKE = "intake", _("Intake")  # Tiếp nhận
    VERIFICATION = "verification", _("Verification")  # Xác minh
    IDENTIFICATION = "identification", _("Identification")  # Xác định nạn nhân
    RESCUE = "rescue", _("Rescue")  # Giải cứu
    PROTECTION = "protection", _("Protection")  # Bảo vệ
    SUPPORT = "support", _("Support")  # Hỗ trợ
    CLOSED = "closed", _("Closed")  # Đóng hồ sơ


OPEN_STATES = tuple(s for s in CaseState.values if s != CaseState.CLOSED)


class Actor(models.TextChoices):
    """Who may make a transition, besides holding the case (supervisors excepted)."""

    # Caseworkers of the kinds of unit the case's rulebook makes responsible for the stage the
    # case leaves or, except on closing, the stage it enters; at intake, any holding unit.
    RESPONSIBLE = "responsible", _("The responsible unit")
    LEAD = "lead", _("The lead unit")  # caseworkers of the case's lead unit
    # A supervisor of a unit holding the case, or of the province it belongs to.
    SUPERVISOR = "supervisor", _("A supervisor")


@dataclass(frozen=True)
class CaseTransition:
    name: str
    label: Promise
    sources: tuple[str, ...]
    # The stage it leads to; None: back to the stage the case was closed from (reopening).
    target: str | None
    made_by: frozenset[str]
    # Codes of cases.requirements.CHECKS: records that must exist before the move.
    requires: tuple[str, ...] = ()
    reason_required: bool = False

    @property
    def is_onward(self) -> bool:
        """A move to a working stage, as opposed to closing or reopening the case."""
        return self.target not in (None, CaseState.CLOSED)

    def fsm(self) -> dict:
        """The arguments of django_fsm.transition for this row."""
        target = RETURN_VALUE(*OPEN_STATES) if self.target is None else self.target
        return {"source": list(self.sources), "target": target, "custom": {"rule": self}}


S = CaseState
TRANSITIONS: dict[str, CaseTransition] = {
    t.name: t
    for t in [
        CaseTransition(
            "start_verification",
            _("Start verification"),
            (S.INTAKE,),
            S.VERIFICATION,
            frozenset({Actor.RESPONSIBLE}),
            requires=("screening",),
        ),
        CaseTransition(
            "start_identification",
            _("Start identification"),
            (S.VERIFICATION, S.RESCUE),
            S.IDENTIFICATION,
            frozenset({Actor.RESPONSIBLE}),
            requires=("signs_of_trafficking",),
        ),
        CaseTransition(
            "start_rescue",
            _("Start rescue"),
            (S.VERIFICATION, S.IDENTIFICATION),
            S.RESCUE,
            frozenset({Actor.RESPONSIBLE}),
            requires=("rescue_request",),
        ),
        CaseTransition(
            "start_protection",
            _("Start protection"),
            (S.VERIFICATION, S.IDENTIFICATION, S.RESCUE),
            S.PROTECTION,
            frozenset({Actor.RESPONSIBLE}),
            requires=("protection_measure", "rescued"),
        ),
        CaseTransition(
            "start_support",
            _("Start support"),
            (S.IDENTIFICATION, S.PROTECTION),
            S.SUPPORT,
            frozenset({Actor.RESPONSIBLE}),
            requires=("support_service",),
        ),
        CaseTransition(
            "close",
            _("Close the case"),
            OPEN_STATES,
            S.CLOSED,
            frozenset({Actor.RESPONSIBLE, Actor.LEAD, Actor.SUPERVISOR}),
            requires=("closure_reason",),
        ),
        CaseTransition(
            "reopen",
            _("Reopen the case"),
            (S.CLOSED,),
            None,
            frozenset({Actor.LEAD, Actor.SUPERVISOR}),
            reason_required=True,
        ),
    ]
}
