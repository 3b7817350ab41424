"""How the case stages meet the rulebook: who is responsible for a stage, and its deadline."""

from dataclasses import dataclass
from datetime import datetime

from .rulebooks import deadline_for, rule_for

# Completing a stage is due within the rulebook step named here, counted from reception.
STAGE_DEADLINE_STEPS = {"verification": "initial_reception_verification"}


def responsible_kinds_for_stage(rulebook: str, stage: str) -> list[str]:
    """Agency kinds that move a case on from this stage under the case's rulebook."""
    return list(rule_for(rulebook, stage).responsible_kinds)


@dataclass(frozen=True)
class StageDeadline:
    due_at: datetime
    citation: str


def stage_deadlines(case) -> dict[str, StageDeadline]:
    """Deadlines for completing each stage that has one, as set when the case was received."""
    deadlines = {}
    for stage, step in STAGE_DEADLINE_STEPS.items():
        due_at, rule = deadline_for(case.rulebook, step, case.received_at)
        deadlines[stage] = StageDeadline(due_at, rule.citation)
    return deadlines
