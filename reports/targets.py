"""The plan's targets (chỉ tiêu) for anti-trafficking work, as data with their citation.

Plan 19/KH-BCĐ138/CP (15/01/2024), part I.2. Each target names how the system measures it
(`measure`, a key of reports.proceedings.MEASURES) from the criminal track: the tips and
reports of the crime and the criminal cases the Police, the Procuracy and the Courts record.
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
    measure: str  # reports.proceedings.MEASURES measures this share
    basis: Promise  # what the achieved figure is the share of


PLAN_TARGETS = (
    Target(
        "received_and_processed",
        _("Reports received and processed"),
        100,
        False,
        "100% tố giác, tin báo về tội phạm, kiến nghị khởi tố liên quan tội phạm mua bán người "
        "được tiếp nhận, xử lý",
        "tips_processed",
        _(
            "Tips and reports received in the period whose verification had begun, or which "
            "were resolved, by the period's end."
        ),
    ),
    Target(
        "resolved",
        _("Reports resolved"),
        90,
        True,
        "tỷ lệ giải quyết đạt trên 90%",
        "tips_resolved",
        _(
            "Tips and reports to resolve in the period (received before its end, unresolved at "
            "its start) that were resolved in it."
        ),
    ),
    Target(
        "investigated",
        _("Cases investigated"),
        90,
        True,
        "Tỷ lệ điều tra, khám phá các vụ án mua bán người đạt trên 90% tổng số án khởi tố",
        "investigated",
        _(
            "Criminal cases under investigation in the period (opened before its end, not "
            "concluded or discontinued before its start) whose investigation concluded in it."
        ),
    ),
    Target(
        "prosecuted",
        _("Cases prosecuted"),
        95,
        False,
        "95% số vụ án mua bán người hằng năm được giải quyết và truy tố",
        "prosecuted",
        _(
            "Criminal cases before the Procuracy in the period (file received before its end, "
            "not decided before its start) that were indicted in it."
        ),
    ),
    Target(
        "tried",
        _("Cases tried"),
        90,
        False,
        "90% số vụ án mua bán người được giải quyết, xét xử",
        "tried",
        _(
            "Criminal cases before the Court in the period (indicted before its end, not tried "
            "before its start) that were tried in it."
        ),
    ),
)
