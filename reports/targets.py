"""The plan's targets (chỉ tiêu) for anti-trafficking work, as data with their citation.

Plan 19/KH-BCĐ138/CP (15/01/2024), part I.2. Each target names how the system measures it
(`measure`), or None where the system does not hold the data (prosecution and trial are
recorded by the procuracy and courts, not in Lối Về): those are reported as "not tracked".
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rulebooks.periods import PLAN_19

TARGETS_CITATION = f"{PLAN_19}, I.2"


@dataclass(frozen=True)
class Target:
    key: str
    label: Promise
    percent: int
    strictly_above: bool  # "trên 90%" is above; "100%" and "95%" are at least
    quote: str  # the plan's words
    measure: str | None  # reports.selectors measures this share; None: not tracked
    basis: Promise  # what the achieved figure is the share of


PLAN_TARGETS = (
    Target(
        "received_and_processed",
        _("Reports received and processed"),
        100,
        False,
        "100% tố giác, tin báo về tội phạm, kiến nghị khởi tố liên quan tội phạm mua bán người "
        "được tiếp nhận, xử lý",
        "processed",
        _("Reports received in the period that had moved on from intake by the period's end."),
    ),
    Target(
        "resolved",
        _("Reports resolved"),
        90,
        True,
        "tỷ lệ giải quyết đạt trên 90%",
        "resolved",
        _("Reports received in the period that were closed, for any reason, by its end."),
    ),
    Target(
        "investigated",
        _("Cases investigated"),
        90,
        True,
        "Tỷ lệ điều tra, khám phá các vụ án mua bán người đạt trên 90% tổng số án khởi tố",
        "investigated",
        _(
            "Reports received in the period with a verification recorded by its end. The plan "
            "counts criminal cases opened (khởi tố), which the system does not track."
        ),
    ),
    Target(
        "prosecuted",
        _("Cases prosecuted"),
        95,
        False,
        "95% số vụ án mua bán người hằng năm được giải quyết và truy tố",
        None,
        _("Prosecution is recorded by the procuracy, not in this system."),
    ),
    Target(
        "tried",
        _("Cases tried"),
        90,
        False,
        "90% số vụ án mua bán người được giải quyết, xét xử",
        None,
        _("Trials are recorded by the courts, not in this system."),
    ),
)
