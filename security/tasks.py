"""The audit sealer, sent by Celery beat every LOIVE_AUDIT_SEAL_SECONDS."""

from celery import shared_task

from .audit import seal_pending


@shared_task(ignore_result=True)
def seal_audit() -> int:
    return seal_pending()
