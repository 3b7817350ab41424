"""Reading a case: what the user may see of it, with every read of identity data audited."""

from django.db import transaction

from agencies.models import Role, User
from security.audit import record_event

from ..models import Case
from ..permissions import available_transitions
from ..visibility import AUDITED_GROUPS, CaseView, case_records, case_view


def read_case(user: User, case: Case, *, reason: str = "") -> dict:
    """The case's records as this user may see them (hidden fields left out entirely) and the
    transitions they may make now; reading identity or contacts is audited, with the reason."""
    view = case_view(user, case, reason=reason)
    with transaction.atomic():
        _audit_identity_read(user, case, view)
    return case_records(case, view) | {"available_transitions": available_transitions(user, case)}


def _audit_identity_read(user: User, case: Case, view: CaseView) -> None:
    """One audit event per read of identity or contact data, with the reason if typed."""
    read = sorted(view.groups & AUDITED_GROUPS)
    if read:
        record_event(
            "identity.read",
            actor=user,
            case=case,
            reason=view.reason,
            details={"groups": read, "supervisor": user.role == Role.SUPERVISOR},
        )
