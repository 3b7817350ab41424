"""Erasure by crypto-shredding (xoá dữ liệu định danh)."""

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Role, User
from config.errors import NotAllowed
from security.audit import record_event
from security.services import destroy_data_key

from ..models import Case
from .records import bump_version


def erase_identity(actor: User, case: Case, *, reason: str) -> Case:
    """Erasure on request or after retention: destroy the case's data key (crypto-shredding).

    Every encrypted field of the case becomes unreadable for good, and the blind indexes that
    could still link the person to another case are cleared. Statistics in clear remain.
    """
    if actor.role != Role.ADMINISTRATOR:
        raise NotAllowed(_("Only administrators erase a person's data."))
    with transaction.atomic():
        destroy_data_key(case.data_key, actor=actor, reason=reason)
        case.people.update(phone_index="", id_number_index="", name_year_index="")
        record_event("case.erase", actor=actor, case=case, reason=reason)
        bump_version(case)
    return case
