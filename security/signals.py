"""Sign-in events into the audit ledger (never a password: only the username typed)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from .audit import record_event
from .db import allow_flush_of_ledger


def _client(request) -> dict[str, str]:
    return {"ip": request.META.get("REMOTE_ADDR", "")} if request is not None else {}


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    record_event("auth.login", actor=user, details=_client(request))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    record_event("auth.login_failed", details={"username": username, **_client(request)})


@receiver(user_locked_out)
def audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record_event("auth.locked_out", details={"username": str(username or "")[:150]})


@receiver(connection_created)
def prepare_connection(sender, connection, **kwargs) -> None:
    allow_flush_of_ledger(connection)
