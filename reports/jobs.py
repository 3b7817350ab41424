"""Asking for a background export, following it, and fetching its archive (the requester only)."""

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import User
from config.errors import Conflict, NotFound
from rulebooks.periods import parse_period
from security.audit import record_event

from .archive import new_password, seal_password
from .models import ExportJob, ExportStatus
from .services import export_storage, require_case_level_exporter
from .tasks import build_export


def request_htcds_export(user: User, period: str, k: int | None) -> tuple[ExportJob, str]:
    """Queue the export; the password is returned here, once, and travels to the worker sealed.
    Bad input fails now, not in the worker."""
    require_case_level_exporter(user)
    code = parse_period(period).code
    with transaction.atomic():
        job = ExportJob.objects.create(requested_by=user, period=code, k=k)
        record_event(
            "export.requested",
            actor=user,
            obj=job,
            details={"report": "htcds", "period": code, "k": k},
        )
    password = new_password()
    # The job is committed (no request-wide transaction): the worker finds it.
    build_export.delay(job.pk, seal_password(job.uuid, password))
    job.refresh_from_db()
    return job, password


def own_job(user: User, job_id: str) -> ExportJob:
    """The caller's own export; anyone else's is unknown to them (no existence leak)."""
    job = ExportJob.objects.filter(uuid=job_id, requested_by=user).first()
    if job is None:
        raise NotFound(_("No such export."))
    return job


def export_file(user: User, job_id: str) -> tuple[ExportJob, bytes]:
    """The finished archive (still encrypted); every download audited."""
    job = own_job(user, job_id)
    if job.status != ExportStatus.DONE:
        raise Conflict(
            _("The export is not ready: its status is %(status)s.")
            % {"status": job.get_status_display()}
        )
    with export_storage().open(job.file_name, "rb") as stored:
        content = stored.read()
    with transaction.atomic():
        record_event(
            "export.download",
            actor=user,
            obj=job,
            details={"report": job.kind, "period": job.period, "rows": job.row_counts},
        )
    return job, content
