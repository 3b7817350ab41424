"""The heartbeat beat sends every 20 s: /readyz trusts workers only while it keeps arriving."""

from celery import shared_task

from .checks import record_heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    record_heartbeat()
