"""Which field group each protected field belongs to, and what a user may see of a case.

Hidden fields are absent from responses and pages, not blanked. Reading identity data is
audited; a supervisor reads it only with a typed reason.
"""

from dataclasses import dataclass

from agencies.models import Role, User
from security.policy import FieldGroup, visible_field_groups

from .models import Case, Person, PersonRole
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


def _person(person: Person, view: CaseView) -> dict:
    data = {
        "id": str(person.uuid),
        "role": person.role,
        "sex": person.sex,
        "age_group": person.age_group,
        "nationality": person.nationality,
        "province": person.province_id,
        "language": person.language,
        "interpreter_needed": person.interpreter_needed,
        "relationship": person.relationship,
    }
    for name in view.person_fields(person.role):
        value = getattr(person, name)
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def case_records(case: Case, view: CaseView) -> dict:
    """The case's people and records as this user may see them; hidden fields are left out
    entirely (not blanked)."""
    data = {}
    data["field_groups"] = sorted(view.groups)
    data["identity_erased"] = view.erased
    data["people"] = [_person(p, view) for p in case.people.order_by("id")]
    data["intakes"] = [
        {
            "id": str(i.uuid),
            "channel": i.channel,
            "received_at": i.received_at,
            "unit": i.unit.code,
            "linked_as_duplicate": i.linked_as_duplicate,
            **({"narrative": i.narrative} if view.shows("intake.narrative") else {}),
        }
        for i in case.intakes.select_related("unit")
    ]
    data["screenings"] = list(
        case.screenings.values("indicators", "purposes", "recommendation", "reasons", "screened_at")
    )
    data["verifications"] = [
        {
            "outcome": v.outcome,
            "unit": v.unit.code,
            "recorded_at": v.recorded_at,
            **({"finding": v.finding} if view.shows("verification.finding") else {}),
        }
        for v in case.verifications.select_related("unit")
    ]
    data["identifications"] = [
        {
            "is_victim": i.is_victim,
            "document_type": i.document_type,
            "issuing_unit": i.issuing_unit.code,
            "decided_at": i.decided_at,
            **(
                {"document_number": i.document_number}
                if view.shows("identification.document_number")
                else {}
            ),
        }
        for i in case.identifications.select_related("issuing_unit")
    ]
    data["rescues"] = list(
        case.rescues.values("partner_authority", "country", "requested_at", "rescued_at")
    )
    data["protections"] = [
        {
            "kind": m.kind,
            "unit": m.unit.code,
            "starts_at": m.starts_at,
            "ends_at": m.ends_at,
            "limit_citation": m.limit_citation,
            "refused": m.refused,
            **({"details": m.details} if view.shows("protection.details") else {}),
        }
        for m in case.protections.select_related("unit")
    ]
    data["services"] = list(
        case.services.values(
            "id",
            "kind",
            "status",
            "provider_unit__code",
            "requested_at",
            "provided_at",
            "declined_at",
            "amount",
            "currency",
        )
    )
    data["consents"] = list(
        case.consents.values("id", "recipient_kind", "purpose", "status", "given_by", "recorded_at")
    )
    data["holders"] = list(
        case.holdings.values("unit__code", "basis", "since", "until").order_by("since")
    )
    return data
