"""The process dispatcher, sent by Celery beat every LOIVE_PROCESS_SYNC_SECONDS."""

from celery import shared_task

from .services import sync_pending_processes


@shared_task(acks_late=True, ignore_result=True)
def sync_processes() -> int:
    """Start or move on the processes of the cases opened or moved since the last run."""
    return sync_pending_processes()
