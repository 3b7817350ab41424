"""Reading a criminal case: offenders' identity only for the criminal-track units, audited."""

from django.db import transaction

from agencies.models import User
from security.audit import record_event

from ..models import CriminalCase, Offender
from ..permissions import is_track_caseworker

IDENTITY_FIELDS = ("full_name", "other_names", "birth_year", "id_number", "address")


def shows_offender_identity(user: User, cc: CriminalCase) -> bool:
    """Caseworkers of the units named on the case (the caller found it visible to them)."""
    return is_track_caseworker(user) and user.unit_id in (
        cc.investigating_unit_id,
        cc.procuracy_unit_id,
        cc.court_unit_id,
    )


def read_offenders(user: User, cc: CriminalCase) -> list[dict]:
    """The case's offenders as this user may see them; a read of identity is audited."""
    identity = shows_offender_identity(user, cc)
    offenders = list(cc.offenders.all())
    rows = [_offender(o, identity) for o in offenders]
    with transaction.atomic():
        record_event(
            "identity.read" if identity and offenders else "criminal_case.read",
            actor=user,
            obj=cc,
            details={"offenders": [str(o.uuid) for o in offenders], "identity": identity},
        )
    return rows


def _offender(offender: Offender, identity: bool) -> dict:
    row = {
        "id": offender.uuid,
        "role": offender.role,
        "role_label": offender.get_role_display(),
        "sex": offender.sex,
        "nationality": offender.nationality,
        "indicted": offender.indicted,
        "verdict": offender.verdict,
        "sentence_months": offender.sentence_months,
    }
    if identity:
        row |= {name: getattr(offender, name) for name in IDENTITY_FIELDS}
    return row
