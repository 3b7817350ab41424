"""Reporting periods (kỳ báo cáo) and when each report is due, from the plans as data.

The days reports are due are rulebook data (rulebooks.models.ReportingDeadline, with the
plan's words and citation): nationally Plan 19/KH-BCĐ138/CP (15/01/2024), III.2, asks for a
report on the first and third quarters, the half-year and the year; a province may set its
own days. A period with no day of its own goes into the next larger report that has one (the
second quarter into the six-monthly report, the fourth into the annual one).
Periods are calendar periods in Vietnam time.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from config.errors import InvalidInput
from places.models import VIETNAM_TZ, Province

from .models import ReportingDeadline
from .selectors import reporting_deadlines

PLAN_19 = "Plan 19/KH-BCĐ138/CP (15/01/2024)"

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
# Part → the larger parts of the same year that contain it, smallest first (the calendar).
CONTAINING = {
    "Q1": ("H1", ""),
    "Q2": ("H1", ""),
    "Q3": ("H2", ""),
    "Q4": ("H2", ""),
    "H1": ("",),
    "H2": ("",),
    "": (),
}

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


def describe(period: Period, province: Province | None = None) -> dict:
    """The period and the day its report is due, for reports within the province (None: the
    national schedule)."""
    deadlines = reporting_deadlines(province)
    report, deadline = _report_including(period, deadlines)
    due = date(report.year, deadline.month, deadline.day) if deadline else None
    own = report == period
    return {
        "code": period.code,
        "kind": period.kind,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "due_before": due if own else None,
        "included_in": None if own or not deadline else report.code,
        "submit_before": due,
        "schedule": _schedule_note(report, due, own),
        "wording": deadline.wording if deadline else "",
        "citation": deadline.citation if deadline else "",
    }


def _report_including(
    period: Period, deadlines: dict[str, ReportingDeadline]
) -> tuple[Period, ReportingDeadline | None]:
    """The report whose figures include the period (itself if it has a day) and its day."""
    for part in (period.part, *CONTAINING[period.part]):
        if part in deadlines:
            return Period(period.year, part), deadlines[part]
    return period, None


def _schedule_note(report: Period, due: date | None, own: bool) -> str:
    if due is None:
        return _("No plan sets a day for this report.")
    day = due.strftime("%d/%m/%Y")
    if own:
        return _("Submit before %(day)s.") % {"day": day}
    return _(
        "The plan sets no separate report for this period; its figures go into the "
        "%(report)s report, to submit before %(day)s."
    ) % {"report": report.code, "day": day}


def current_quarter(now: datetime) -> str:
    """The code of the quarter `now` falls in, in Vietnam time: "2025-Q4"."""
    local = now.astimezone(VIETNAM_TZ)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
