"""Reporting periods: "2025-Q4", "2025-H2", "2025" (Vietnam time, end exclusive)."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from config.errors import InvalidInput
from places.models import VIETNAM_TZ

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>Q[1-4]|H[12]))?$")


@dataclass(frozen=True)
class Period:
    code: str
    start: datetime
    end: datetime


def parse_period(code: str) -> Period:
    """The period a code names; 400 for anything else."""
    match = _PERIOD.match(code or "")
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise InvalidInput(_("Give a period such as 2025-Q4, 2025-H2 or 2025."), "period")
    year, part = int(match["year"]), match["part"] or ""
    months = 3 if part.startswith("Q") else 6 if part.startswith("H") else 12
    first = (int(part[1]) - 1) * months + 1 if part else 1
    start = datetime(year, first, 1, tzinfo=VIETNAM_TZ)
    end_month = first + months
    end = datetime(year + (end_month > 12), (end_month - 1) % 12 + 1, 1, tzinfo=VIETNAM_TZ)
    return Period(code, start, end)


def current_quarter(now: datetime) -> str:
    local = now.astimezone(VIETNAM_TZ)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
