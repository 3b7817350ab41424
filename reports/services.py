"""Producing the periodic report for a caller, and the audit record of every export."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import translation

from agencies.models import User
from security.audit import record_event

from . import exports
from .selectors import periodic_report

# The files are the form sent to the Steering Committee 138, so they are always in Vietnamese;
# the JSON answer follows the caller's language.
FORM_LANGUAGE = "vi"
FORMATS = ("json", "csv", "xlsx", "pdf")


@dataclass(frozen=True)
class ReportExport:
    report: dict
    file_format: str
    content: bytes = b""

    @property
    def content_type(self) -> str:
        return exports.CONTENT_TYPES[self.file_format]

    @property
    def filename(self) -> str:
        return exports.filename(self.report, self.file_format)


def export_periodic_report(user: User, period: str, file_format: str) -> ReportExport:
    """Xuất báo cáo định kỳ: build the report in the format asked for and audit the export."""
    is_file = file_format != "json"
    with translation.override(FORM_LANGUAGE if is_file else translation.get_language()):
        report = periodic_report(user, period)
        content = exports.render(report, file_format, _name(user)) if is_file else b""
    with transaction.atomic():
        record_event(
            "export",
            actor=user,
            details={
                "report": "periodic",
                "period": report["period"]["code"],
                "format": file_format,
            },
        )
    return ReportExport(report, file_format, content)


def _name(user: User) -> str:
    return user.get_full_name() or user.username
