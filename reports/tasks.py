"""Large exports in the background: a national HTCDS export covers every case of a period."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def build_export(job_id: int, sealed_password: str) -> None:
    services.run_export_job(job_id, sealed_password)
