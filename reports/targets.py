"""The plans' targets (chỉ tiêu) for anti-trafficking work, as data with their citation.

Nationally Plan 19/KH-BCĐ138/CP (15/01/2024), part I.2; a province's own plan adds targets
for the reports within it (`province`: the code of the province whose plan sets it; a province
merged into another binds the one it became). Each target names how the system measures it
(`measure`, a key of reports.proceedings.MEASURES) from the criminal track: the tips and
reports of the crime and the criminal cases the Police, the Procuracy and the Courts record.

Most targets are a share to reach in the period. A target that a rate "rises at least N% a
year" (`rises`) compares the period's rate with the same period a year before; we read N%
as N percentage points of the rate.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rulebooks.periods import PLAN_19

TARGETS_CITATION = f"{PLAN_19}, I.2"
PHU_THO_PROJECT_2 = (
    "Kế hoạch thực hiện Đề án 2 “Đấu tranh phòng, chống tội phạm mua bán người” giai đoạn "
    "2016–2020 của Ban Chỉ đạo tỉnh Phú Thọ, I.2"
)
PHU_THO = "25"  # the province as it was when it made the plan (merged into n-phu-tho in 2025)
PROSECUTED_BASIS = _(
    "Criminal cases before the Procuracy in the period (file received before its end, not "
    "decided before its start) that were indicted in it."
)
TRIED_BASIS = _(
    "Criminal cases before the Court in the period (indicted before its end, not tried before "
    "its start) that were tried in it."
)


@dataclass(frozen=True)
class Target:
    key: str
    label: Promise
    percent: int
    strictly_above: bool  # "trên 90%" is above; "100%" and "95%" are at least
    quote: str  # the plan's words
    measure: str  # reports.proceedings.MEASURES measures this share
    basis: Promise  # what the achieved figure is the share of
    citation: str = TARGETS_CITATION
    province: str | None = None  # None: national
    rises: bool = False  # `percent`: the rise over the same period a year before, in points


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
        PROSECUTED_BASIS,
    ),
    Target(
        "tried",
        _("Cases tried"),
        90,
        False,
        "90% số vụ án mua bán người được giải quyết, xét xử",
        "tried",
        TRIED_BASIS,
    ),
)
PROVINCE_TARGETS = (
    Target(
        "phu_tho_prosecution_rate_rises",
        _("Prosecution rate rises year on year"),
        2,
        False,
        "Chỉ tiêu 3: Hằng năm, tăng ít nhất 2% tỷ lệ khởi tố, điều tra các vụ án mua bán người "
        "trên tổng số các vụ việc được phát hiện",
        "tips_opened",
        _(
            "Tips and reports received in the period on which a criminal case was opened by "
            "the period's end, against the same period a year before (percentage points)."
        ),
        f"{PHU_THO_PROJECT_2} (Chỉ tiêu 3)",
        PHU_THO,
        rises=True,
    ),
    Target(
        "phu_tho_prosecuted",
        _("Cases prosecuted of those the Procuracy accepted"),
        95,
        False,
        "Chỉ tiêu 4: Hằng năm, đạt 95% số vụ án mua bán người được truy tố trên tổng số vụ do "
        "Viện Kiểm sát thụ lý",
        "prosecuted",
        PROSECUTED_BASIS,
        f"{PHU_THO_PROJECT_2} (Chỉ tiêu 4)",
        PHU_THO,
    ),
    Target(
        "phu_tho_tried",
        _("Cases tried of those the Court accepted"),
        95,
        False,
        "Chỉ tiêu 5: Hằng năm, đạt 95% số vụ mua bán người được giải quyết và xét xử trên tổng "
        "số vụ do Tòa án nhân dân thụ lý",
        "tried",
        TRIED_BASIS,
        f"{PHU_THO_PROJECT_2} (Chỉ tiêu 5)",
        PHU_THO,
    ),
)


def targets_for(lineage: list[str]) -> list[Target]:
    """The national targets, then those of the province (codes: it and those merged into it)."""
    return [*PLAN_TARGETS, *(t for t in PROVINCE_TARGETS if t.province in lineage)]
