"""Which field group each protected field belongs to, and what a user may see of a case.

Hidden fields are absent from responses and pages, not blanked. Reading identity data is
audited; a supervisor reads it only with a typed reason.
"""

from dataclasses import dataclass

from agencies.models import Role, User
from security.audit import record_event
from security.policy import FieldGroup, visible_field_groups

from .models import Case, PersonRole
from .selectors import active_holding

PERSON_FIELDS = {
    FieldGroup.IDENTITY: [
        "full_name",
        "other_names",
        "birth_date",
        "birth_year",
        "stated_age",
        "id_number",
    ],
    FieldGroup.CONTACTS_RELATIVES: ["phone", "address"],
}
# People other than the victim are all "contacts and relatives".
PERSON_ROLE_GROUP = {
    PersonRole.VICTIM: FieldGroup.IDENTITY,
    PersonRole.ACCOMPANYING_CHILD: FieldGroup.IDENTITY,
    PersonRole.REPORTER: FieldGroup.CONTACTS_RELATIVES,
    PersonRole.RELATIVE: FieldGroup.CONTACTS_RELATIVES,
}
RECORD_FIELDS = {
    "intake.narrative": FieldGroup.NARRATIVE,
    "verification.finding": FieldGroup.INVESTIGATION,
    "identification.document_number": FieldGroup.LEGAL,
    "protection.details": FieldGroup.REPATRIATION,
    "protection.refusal_commitment": FieldGroup.REPATRIATION,
}
AUDITED_GROUPS = frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACTS_RELATIVES})


@dataclass(frozen=True)
class CaseView:
    """What one user may see of one case in one request."""

    groups: frozenset[str]
    reason: str = ""
    erased: bool = False

    def person_fields(self, role: str) -> list[str]:
        if PERSON_ROLE_GROUP[role] not in self.groups:
            return []
        return [
            name for group, names in PERSON_FIELDS.items() if group in self.groups for name in names
        ]

    def shows(self, record_field: str) -> bool:
        return RECORD_FIELDS[record_field] in self.groups


def case_view(user: User, case: Case, *, reason: str = "") -> CaseView:
    if case.data_key.destroyed_at is not None:
        return CaseView(frozenset(), reason, erased=True)  # crypto-shredded: nothing to read
    holding = active_holding(user, case) or case.holdings.filter(unit_id=user.unit_id).first()
    referral_groups = set(holding.field_groups) if holding and holding.field_groups else None
    groups = visible_field_groups(
        user,
        holds_case=holding is not None,
        referral_groups=referral_groups,
        reason=reason,
        created_intake=user.role == Role.HOTLINE_OPERATOR
        and case.intakes.filter(received_by=user).exists(),
    )
    return CaseView(frozenset(groups), reason)


def audit_identity_read(user: User, case: Case, view: CaseView) -> None:
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
