"""Reporting periods (kỳ báo cáo) and when each report is due, from the plan as data.

Plan 19/KH-BCĐ138/CP (15/01/2024), part III.2, asks for reports to the Steering Committee 138
"định kỳ hàng quý (trước ngày 20/3 và 20/9), 6 tháng (trước ngày 20/6) và năm (trước ngày
20/12)". So only two quarters have a report of their own: the second quarter goes into the
six-monthly report and the fourth (with the second half-year) into the annual report.
Periods are calendar periods in Vietnam time.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from config.errors import InvalidInput
from places.models import VIETNAM_TZ

PLAN_19 = "Plan 19/KH-BCĐ138/CP (15/01/2024)"
SCHEDULE_CITATION = f"{PLAN_19}, III.2"
SCHEDULE_QUOTE = (
    "Định kỳ hàng quý (trước ngày 20/3 và 20/9), 6 tháng (trước ngày 20/6) "
    "và năm (trước ngày 20/12)"
)

# Part of the year → (first month, number of months).
PARTS = {
    "Q1": (1, 3),
    "Q2": (4, 3),
    "Q3": (7, 3),
    "Q4": (10, 3),
    "H1": (1, 6),
    "H2": (7, 6),
    "": (1, 12),
}
# Part → (month, day) the report must reach the Committee before, in the same year.
DUE_BEFORE = {"Q1": (3, 20), "Q3": (9, 20), "H1": (6, 20), "": (12, 20)}
# Parts with no report of their own → the report whose figures include them.
COVERED_BY = {"Q2": "H1", "Q4": "", "H2": ""}

PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>Q[1-4]|H[12]))?$")
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True)
class Period:
    """One reporting period: a quarter, a half-year or a year."""

    year: int
    part: str  # "Q1".."Q4", "H1", "H2", or "" for the whole year

    @property
    def code(self) -> str:
        return f"{self.year}-{self.part}" if self.part else str(self.year)

    @property
    def kind(self) -> str:
        return {"Q": "quarter", "H": "half_year"}.get(self.part[:1], "year")

    @property
    def first_day(self) -> date:
        return date(self.year, PARTS[self.part][0], 1)

    @property
    def next_first_day(self) -> date:
        month = PARTS[self.part][0] + PARTS[self.part][1]
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next_first_day.toordinal() - 1)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=VIETNAM_TZ)

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period (exclusive end)."""
        return datetime.combine(self.next_first_day, datetime.min.time(), tzinfo=VIETNAM_TZ)

    @property
    def due_before(self) -> date | None:
        """The day the report must reach the Committee before; None if the plan sets none."""
        if self.part not in DUE_BEFORE:
            return None
        return date(self.year, *DUE_BEFORE[self.part])

    @property
    def covered_by(self) -> "Period | None":
        """For a period with no report of its own, the report that includes its figures."""
        if self.part not in COVERED_BY:
            return None
        return Period(self.year, COVERED_BY[self.part])


def parse_period(text: str) -> Period:
    """ "2025-Q3", "2025-H1" or "2025" → the period; anything else is refused (400)."""
    match = PERIOD_PATTERN.match((text or "").strip().upper())
    if not match:
        raise InvalidInput(
            _(
                "Unknown period “%(period)s”: give a year (2025), a half-year (2025-H1) "
                "or a quarter (2025-Q3)."
            )
            % {"period": text or ""},
            "invalid_period",
        )
    year = int(match["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            _("The year must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            "invalid_period",
        )
    return Period(year, match["part"] or "")


def describe(period: Period) -> dict:
    """The period and its due date as the report shows them."""
    covered_by = period.covered_by
    return {
        "code": period.code,
        "kind": period.kind,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "due_before": period.due_before,
        "included_in": covered_by.code if covered_by else None,
        "schedule": _schedule_note(period),
        "citation": SCHEDULE_CITATION,
    }


def _schedule_note(period: Period) -> str:
    covered_by = period.covered_by
    if covered_by is None:
        return _("Report due before %(day)s.") % {"day": period.due_before.strftime("%d/%m/%Y")}
    return _(
        "The plan sets no separate report for this period; its figures belong to the "
        "%(report)s report, due before %(day)s."
    ) % {"report": covered_by.code, "day": covered_by.due_before.strftime("%d/%m/%Y")}


def current_quarter(now: datetime) -> str:
    """The code of the quarter `now` falls in, in Vietnam time: "2025-Q4"."""
    local = now.astimezone(VIETNAM_TZ)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
