"""The periodic report as files (xuất báo cáo): CSV, Excel and the PDF to sign, in Vietnamese.

Only the aggregates of reports.selectors go into a file: no names, no case numbers, and every
count of victims under 3 suppressed (reports.suppression) before any format is written. Text a
spreadsheet would run as a formula is written as text.
"""

import csv
import io
import json
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook

from places.models import VIETNAM_TZ

from .pdf import legend, to_pdf
from .suppression import suppress_report

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# What starts a formula in Excel or LibreOffice (OWASP "CSV injection"), the full-width forms
# included; a value is checked after any leading blanks, which spreadsheets skip.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def render(report: dict, file_format: str, prepared_by: str) -> bytes:
    """The report as a CSV, Excel or PDF file in the active language, small cells suppressed."""
    safe = suppress_report(report) | {"prepared_by": prepared_by}
    return {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[file_format](safe)


def filename(report: dict, file_format: str) -> str:
    return f"bao-cao-dinh-ky-{report['period']['code']}.{file_format}"


def figure_header() -> list[str]:
    return [
        _("Period"),
        _("Figure"),
        _("Breakdown"),
        _("Code"),
        _("Value"),
        _("Count"),
        _("Previous period"),
    ]


def figure_rows(report: dict) -> list[list]:
    """One row per figure total and per value of each of its breakdowns."""
    period = report["period"]["code"]
    rows = []
    for figure in report["figures"]:
        total = [period, figure["label"], _("Total"), "", "", figure["total"]]
        rows.append([*total, figure["previous"]])
        for breakdown in figure["breakdowns"]:
            rows += [
                [period, figure["label"], breakdown["label"], v["code"], v["label"], v["count"]]
                for v in breakdown["values"]
            ]
    return rows


def target_header() -> list[str]:
    return [
        _("Target"),
        _("Planned (%)"),
        _("Achieved (%)"),
        _("Done in the period"),
        _("To be done in the period"),
        _("Assessment"),
        _("How it is measured"),
        _("The plan's words"),
        _("Source"),
        _("Previous period"),
        _("Achieved in the previous period (%)"),
    ]


def target_rows(report: dict) -> list[list]:
    return [
        [
            t["label"],
            t["target_percent"],
            t["achieved_percent"],
            t["numerator"],
            t["denominator"],
            t["status_label"],
            t["basis"],
            t["quote"],
            t["citation"],
            t["previous"]["period"],
            t["previous"]["achieved_percent"],
        ]
        for t in report["targets"]
    ]


def period_rows(report: dict) -> list[list]:
    period, scope = report["period"], report["scope"]
    return [
        [_("Period"), period["code"]],
        [_("From"), _day(period["first_day"])],
        [_("To"), _day(period["last_day"])],
        [_("Due before"), _day(period["due_before"]) if period["due_before"] else ""],
        [_("Reporting schedule"), period["schedule"]],
        [_("Source"), period["citation"]],
        [_("Unit"), scope["unit"]],
        [_("Province"), scope["province"] or _("Whole country")],
        [_("Prepared at"), _moment(report["generated_at"])],
        [_("Prepared by"), report["prepared_by"]],
        [_("Suppressed cells"), legend()],
    ]


def to_csv(report: dict) -> bytes:
    """The figures table; UTF-8 with a byte-order mark so that Excel reads the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(figure_header())
    writer.writerows([_safe(value) for value in row] for row in figure_rows(report))
    writer.writerow([legend()])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(report: dict) -> bytes:
    """Three sheets: the period, the figures and the plan's targets."""
    workbook = Workbook()
    sheets = (
        (_("Period"), [], period_rows(report)),
        (_("Figures"), figure_header(), figure_rows(report)),
        (_("Targets"), target_header(), target_rows(report)),
    )
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        for row in [header, *rows] if header else rows:
            sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HTCDS_TABLES = ("cases", "victims", "perpetrators", "events", "aggregates")


def htcds_filename(dataset: dict) -> str:
    k = f"-k{dataset['k']}" if dataset["k"] else ""
    return f"htcds-{dataset['period']}{k}.zip"


def htcds_files(dataset: dict) -> dict[str, bytes]:
    """The files inside the HTCDS archive: the whole export as JSON, one CSV per table, and
    a note in the active language on how it was made."""
    files = {"htcds.json": json.dumps(dataset, ensure_ascii=False, indent=1).encode()}
    for table in HTCDS_TABLES:
        rows = dataset[table]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if rows:
            writer.writerow(rows[0].keys())
        writer.writerows([_safe(value) for value in row.values()] for row in rows)
        files[f"{table}.csv"] = buffer.getvalue().encode("utf-8-sig")
    files["README.txt"] = _htcds_note(dataset).encode()
    return files


def _htcds_note(dataset: dict) -> str:
    lines = [
        _("Pseudonymised export in the Human Trafficking Case Data Standard (%(standard)s).")
        % {"standard": dataset["standard"]},
        _("Field names: %(source)s.") % {"source": dataset["source"]},
        _("Period: %(period)s.") % {"period": dataset["period"]},
        _(
            "No names, dates of birth, identity numbers, contact details, case numbers or free "
            "text. The pseudonymous identifiers are drawn at random for this export only."
        ),
        _(
            "k-anonymity: ages generalised to 0-17 / 18+ and every row whose combination of "
            "quasi-identifiers occurs fewer than %(k)s times left out."
        )
        % {"k": dataset["k"]}
        if dataset["k"]
        else _("No k-anonymity was asked for: keep this file within the Steering Committee."),
        legend(),
    ]
    return "\n".join(lines) + "\n"


def _safe(value):
    """Text that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _moment(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")
