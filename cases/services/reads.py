"""Reading a case: what the user may see of it, with every read of protected data audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Role, User
from config.errors import InvalidInput
from security.audit import record_event

from ..models import Case
from ..permissions import available_transitions
from ..visibility import AUDITED_GROUPS, CaseView, case_records, case_view


def read_case(user: User, case: Case, *, reason: str = "") -> dict:
    """The case's records as this user may see them (hidden fields left out entirely) and the
    transitions they may make now.

    Every read is audited with the field groups it showed, as "identity.read" when identity
    or contacts were shown; a unit whose hold ended (completed, handed over) gets the summary
    without identity, audited as "identity.read_refused" with the reason typed, if any. A
    supervisor reads a case only with a typed reason (400 reason_required otherwise, and the
    refused attempt is audited too).
    """
    if user.role == Role.SUPERVISOR and not reason.strip():
        _audit(user, case, "case.read_refused", details={"why": "reason_required"})
        raise InvalidInput(
            _("Give the reason for reading this case; it is recorded."), "reason_required"
        )
    view = case_view(user, case, reason=reason)
    _audit_read(user, case, view)
    return case_records(case, view) | {"available_transitions": available_transitions(user, case)}


def _audit_read(user: User, case: Case, view: CaseView) -> None:
    if view.own_records_only:
        details = {"why": "holding_ended", "ended_as": view.ended_as, "groups": []}
        _audit(user, case, "identity.read_refused", reason=view.reason, details=details)
        return
    groups = sorted(view.groups)
    action = "identity.read" if view.groups & AUDITED_GROUPS else "case.read"
    details = {"groups": groups, "supervisor": user.role == Role.SUPERVISOR}
    _audit(user, case, action, reason=view.reason, details=details)


def _audit(user: User, case: Case, action: str, *, reason: str = "", details: dict) -> None:
    """In a transaction of its own: the trace stays even when the read is then refused."""
    with transaction.atomic():
        record_event(action, actor=user, case=case, reason=reason, details=details)
