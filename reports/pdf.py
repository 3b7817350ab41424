"""The periodic report as the PDF a province signs (báo cáo định kỳ có chữ ký).

fpdf2 with the DejaVu Sans font shipped in reports/fonts (free licence, LICENSE beside it),
embedded in the file, so that Vietnamese diacritics print the same on every machine, whatever
fonts it has. The figures come already suppressed (reports.suppression); the form ends with
the signature block: the place and date, who prepared it, and the head of the unit's role,
signature and name, to be signed by hand and stamped.
"""

from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from places.models import VIETNAM_TZ

from .suppression import SMALL, WITHHELD

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
BODY, SMALL_TEXT, TITLE = 10, 8, 13


def to_pdf(report: dict) -> bytes:
    pdf = _Form()
    pdf.add_page()
    _heading(pdf, report)
    _figures(pdf, report)
    _targets(pdf, report)
    _legend(pdf)
    _signature(pdf, report)
    return bytes(pdf.output())


class _Form(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_font(FAMILY, size=BODY)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(_("Periodic report on the prevention and combat of human trafficking"))
        self.set_creator("Lối Về")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=SMALL_TEXT)
        self.cell(0, 5, _("Page %(page)s") % {"page": self.page_no()}, align="C")
        self.set_font(FAMILY, size=BODY)


def _heading(pdf: FPDF, report: dict) -> None:
    half = pdf.epw / 2
    pdf.set_font(FAMILY, "B", BODY)
    pdf.cell(half, 5, _("Steering Committee 138").upper())
    pdf.cell(half, 5, _("SOCIALIST REPUBLIC OF VIET NAM"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=BODY)
    pdf.cell(half, 5, report["scope"]["unit"])
    pdf.cell(half, 5, _("Independence - Freedom - Happiness"), align="C")
    pdf.ln(12)
    pdf.set_font(FAMILY, "B", TITLE)
    pdf.multi_cell(
        0,
        7,
        _("PERIODIC REPORT ON THE PREVENTION AND COMBAT OF HUMAN TRAFFICKING"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, size=BODY)
    recipient = _("To: %(recipient)s") % {"recipient": _("Steering Committee 138")}
    pdf.cell(0, 6, recipient, align="C", new_x="LMARGIN", new_y="NEXT")
    period = report["period"]
    pdf.multi_cell(
        0,
        6,
        _("Period %(code)s, from %(first)s to %(last)s")
        % {
            "code": period["code"],
            "first": _day(period["first_day"]),
            "last": _day(period["last_day"]),
        },
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    scope = report["scope"]
    pdf.multi_cell(
        0,
        6,
        _("Unit: %(unit)s. Province: %(province)s.")
        % {"unit": scope["unit"], "province": scope["province"] or _("Whole country")},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, size=SMALL_TEXT)
    pdf.multi_cell(
        0, 5, f"{period['schedule']} ({period['citation']})", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(FAMILY, size=BODY)
    pdf.ln(3)


def _section(pdf: FPDF, title: str) -> None:
    pdf.set_font(FAMILY, "B", BODY + 1)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=SMALL_TEXT + 1)


def _figures(pdf: FPDF, report: dict) -> None:
    _section(pdf, _("I. Figures"))
    header = (_("Figure"), _("Breakdown"), _("Value"), _("Count"), _("Previous period"))
    with pdf.table(
        col_widths=(60, 32, 54, 22, 22),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5,
    ) as table:
        table.row(header)
        for figure in report["figures"]:
            total = (figure["label"], _("Total"), "", str(figure["total"]))
            table.row((*total, str(figure["previous"])), style=FontFace(emphasis="BOLD"))
            for breakdown in figure["breakdowns"]:
                for value in breakdown["values"]:
                    if value["count"] != 0:  # zeros are left out of the printed breakdowns
                        row = ("", breakdown["label"], value["label"], str(value["count"]), "")
                        table.row(row)
    pdf.ln(4)


def _targets(pdf: FPDF, report: dict) -> None:
    _section(pdf, _("II. The plan's targets"))
    header = (_("Target"), _("Planned (%)"), _("Achieved (%)"), _("Done / to do"), _("Assessment"))
    with pdf.table(
        col_widths=(60, 25, 25, 30, 50),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5,
    ) as table:
        table.row(header)
        for target in report["targets"]:
            achieved = target["achieved_percent"]
            table.row(
                (
                    target["label"],
                    str(target["target_percent"]),
                    "" if achieved is None else f"{achieved:g}",
                    f"{target['numerator']} / {target['denominator']}",
                    target["status_label"],
                )
            )
    pdf.set_font(FAMILY, size=SMALL_TEXT)
    if report["targets"]:
        pdf.multi_cell(0, 4, report["targets"][0]["citation"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _legend(pdf: FPDF) -> None:
    pdf.set_font(FAMILY, size=SMALL_TEXT)
    pdf.multi_cell(0, 4, legend(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def legend() -> str:
    """What the suppressed cells mean, for every file that has them."""
    return _(
        '"%(small)s": fewer than 3 victims, not shown so that no one can be recognised. '
        '"%(withheld)s": withheld so that a hidden count cannot be worked out from the total.'
    ) % {"small": SMALL, "withheld": WITHHELD}


def _signature(pdf: FPDF, report: dict) -> None:
    """Place and date, who prepared the report, and the head of the unit who signs it."""
    if pdf.will_page_break(55):
        pdf.add_page()
    half = pdf.epw / 2
    signed = report["generated_at"].astimezone(VIETNAM_TZ)
    place = report["scope"]["province"]
    date_line = _("day %(day)02d month %(month)02d year %(year)d") % {
        "day": signed.day,
        "month": signed.month,
        "year": signed.year,
    }
    pdf.set_font(FAMILY, size=BODY)
    pdf.set_x(pdf.l_margin + half)
    pdf.cell(half, 6, f"{place}, {date_line}" if place else date_line, align="C")
    pdf.ln(7)
    pdf.set_font(FAMILY, "B", BODY)
    pdf.cell(half, 6, _("PREPARED BY"), align="C")
    pdf.cell(half, 6, _("HEAD OF THE UNIT"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=SMALL_TEXT)
    pdf.set_x(pdf.l_margin + half)
    pdf.cell(half, 5, _("(Signature, full name and seal)"), align="C", new_x="LMARGIN")
    pdf.ln(22)
    pdf.set_font(FAMILY, size=BODY)
    pdf.cell(half, 6, report["prepared_by"], align="C")
    pdf.cell(half, 6, _("Role: ..............................."), align="C")
    pdf.ln(6)
    pdf.set_x(pdf.l_margin + half)
    pdf.cell(half, 6, _("Full name: .........................."), align="C")


def _day(day) -> str:
    return day.strftime("%d/%m/%Y")
