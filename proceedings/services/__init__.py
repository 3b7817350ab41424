"""Changes on the criminal track. Each service checks who acts, changes state through the
transition table (proceedings.lifecycle) inside one transaction and writes the audit event.

tips            recording, receiving, classifying, verifying, extending and resolving tips
criminal_cases  opening, offenders, victims' cases, routes, and the stages to the verdict
reads           offenders as the reader may see them, identity reads audited
sweep           overdue tips escalated through the notifications outbox
"""

from .criminal_cases import (
    OffenderData,
    OpeningData,
    RouteData,
    VerdictData,
    add_offender,
    add_route,
    link_victim_case,
    transition_criminal_case,
)
from .reads import read_offenders, shows_offender_identity
from .sweep import sweep_overdue_tips
from .tips import (
    TipData,
    classify_tip,
    extend_tip,
    receive_tip,
    record_tip,
    resolve_tip,
    transition_tip,
)

__all__ = [
    "OffenderData",
    "OpeningData",
    "RouteData",
    "TipData",
    "VerdictData",
    "add_offender",
    "add_route",
    "classify_tip",
    "extend_tip",
    "link_victim_case",
    "read_offenders",
    "receive_tip",
    "record_tip",
    "resolve_tip",
    "shows_offender_identity",
    "sweep_overdue_tips",
    "transition_criminal_case",
    "transition_tip",
]
