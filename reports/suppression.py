"""Small-cell suppression of the report's files (CSV, Excel, PDF, the HTCDS aggregates).

The rule, applied to every cell that counts victims (the figures of reports.selectors; the
criminal track's tips, criminal cases and offenders are counts of records of the State's own
work and stay as they are):

1. Primary: a count of 1 or 2 victims is shown as "<3". Zero is shown: it names no one.
2. Complementary: the values of a breakdown add up to the figure's total, so when exactly one
   value of a breakdown is hidden and the total is shown, the total minus the values shown
   would give it back. Then the smallest other non-zero value is withheld as well, shown "*".
   (Breakdowns where a victim counts under several values, the forms of trafficking, are
   treated the same way: it costs a little detail and never reveals.)

The answer on screen (JSON, for the supervisor signed in) keeps the exact counts; only what
leaves the system as a file is suppressed. Differencing across figures or periods (a figure
against the previous period's, or against another figure) is not protected by this rule.
"""

from copy import deepcopy

from .proceedings import CASE_FIGURES, OFFENDER_FIGURES, TIP_FIGURES

MIN_CELL = 3  # the smallest count of victims a file may show
SMALL = f"<{MIN_CELL}"
WITHHELD = "*"
NOT_VICTIM_COUNTS = frozenset(TIP_FIGURES) | frozenset(CASE_FIGURES) | frozenset(OFFENDER_FIGURES)


def counts_victims(figure_key: str) -> bool:
    """Whether a figure counts victims: every figure but the criminal track's (fail safe: a
    figure added later is suppressed until it is listed as not counting victims)."""
    return figure_key not in NOT_VICTIM_COUNTS


def shown(count: int) -> int | str:
    """A single count of victims as a file may show it."""
    return SMALL if 0 < count < MIN_CELL else count


def suppress_report(report: dict) -> dict:
    """A copy of the periodic report whose victim counts follow the rule above."""
    safe = deepcopy(report)
    for figure in safe["figures"]:
        if counts_victims(figure["key"]):
            _suppress_figure(figure)
    return safe


def _suppress_figure(figure: dict) -> None:
    total_hidden = shown(figure["total"]) == SMALL
    figure["total"], figure["previous"] = shown(figure["total"]), shown(figure["previous"])
    for breakdown in figure["breakdowns"]:
        suppress_cells(breakdown["values"], total_hidden)


def suppress_cells(values: list[dict], total_hidden: bool = False) -> None:
    """Primary and complementary suppression of one breakdown's `count`s, in place."""
    hidden = [v for v in values if shown(v["count"]) == SMALL]
    for value in hidden:
        value["count"] = SMALL
    if len(hidden) != 1 or total_hidden:
        return
    others = [v for v in values if isinstance(v["count"], int) and v["count"] > 0]
    if others:
        min(others, key=lambda v: v["count"])["count"] = WITHHELD
