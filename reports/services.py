"""Producing the periodic report and the case-level exports for a caller, and the audit record
of every export (with its row counts; never a password or a row's content)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, User
from config.errors import NotAllowed
from security.audit import record_event

from . import exports
from .archive import encrypted_archive, new_password, open_password
from .htcds import htcds_dataset, row_counts
from .models import ExportJob, ExportStatus
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


@dataclass(frozen=True)
class CaseLevelExport:
    """An encrypted archive and the password that opens it, given to the requester once."""

    content: bytes
    password: str
    filename: str
    rows: dict[str, int]


def require_case_level_exporter(user: User) -> None:
    """Case-level data (one row per victim, pseudonymised) leaves only for the supervisors of
    a Steering Committee 138, national or provincial: the bodies that compile the data for
    the State's and IOM's statistics. An agency head reads their own cases through the case
    pages, where every identity read is audited, and has no need of a bulk file."""
    unit = user.unit if user.unit_id else None
    if not (
        user.is_active
        and user.role == Role.SUPERVISOR
        and unit
        and unit.kind == AgencyKind.STEERING_COMMITTEE
    ):
        raise NotAllowed(
            _(
                "Only the supervisors of a Steering Committee 138, national or provincial, "
                "may export case-level data."
            )
        )


def export_htcds(user: User, period: str, k: int | None) -> CaseLevelExport:
    """The HTCDS export as an AES-256 archive with a fresh password; audited with its rows."""
    require_case_level_exporter(user)
    with translation.override(FORM_LANGUAGE):
        dataset = htcds_dataset(user, period, k)
        files = exports.htcds_files(dataset)
    password = new_password()
    archive = CaseLevelExport(
        encrypted_archive(files, password),
        password,
        exports.htcds_filename(dataset),
        row_counts(dataset),
    )
    with transaction.atomic():
        record_event("export", actor=user, details=_case_level_details(dataset))
    return archive


def _case_level_details(dataset: dict) -> dict:
    return {
        "report": "htcds",
        "period": dataset["period"],
        "k": dataset["k"],
        "rows": row_counts(dataset),
        "archive": "zip-aes-256",
    }


def run_export_job(job_id: int, sealed_password: str) -> None:
    """Build a requested export in the background: idempotent (a redelivered task finds the
    job done and stops); a failure marks the job failed, never leaves a half-written file."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status != ExportStatus.QUEUED:
            return
        job.status = ExportStatus.RUNNING
        job.save(update_fields=["status"])
    try:
        built = _build_job(job, open_password(job.uuid, sealed_password))
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        job.file_name = export_storage().save(f"{job.uuid}.zip", ContentFile(built.content))
        job.row_counts, job.status, job.finished_at = built.rows, ExportStatus.DONE, timezone.now()
        job.save(update_fields=["file_name", "row_counts", "status", "finished_at"])
        record_event("export", actor=job.requested_by, obj=job, details=built.details)


@dataclass(frozen=True)
class _BuiltJob:
    content: bytes
    rows: dict[str, int]
    details: dict


def _build_job(job: ExportJob, password: str) -> _BuiltJob:
    with translation.override(FORM_LANGUAGE):
        dataset = htcds_dataset(job.requested_by, job.period, job.k)
        files = exports.htcds_files(dataset)
    return _BuiltJob(
        encrypted_archive(files, password), row_counts(dataset), _case_level_details(dataset)
    )


def export_storage() -> FileSystemStorage:
    """Where finished archives wait for their requester (encrypted; the password is not here)."""
    return FileSystemStorage(location=settings.DATA_DIR / "exports")
