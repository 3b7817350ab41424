"""Which field group each protected field and record belongs to, and what a user may see of
a case.

Hidden fields and records are absent from responses and pages, not blanked. Reading identity
data is audited; a supervisor reads it only with a typed reason (cases.services.read_case).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from agencies.models import User
from rulebooks.models import SupportServiceKind
from security.policy import (
    CASE_CONDITION,
    CaseCondition,
    FieldGroup,
    holding_decides_sight,
    visible_field_groups,
)

from .models import Case, Person, PersonRole, Sight
from .selectors import sighted_holding

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
# Whole records that belong to a field group: health care and psychological support are
# medical records, shown only to those who need them (social protection), never to the police.
SENSITIVE_SERVICE_KINDS = {
    SupportServiceKind.MEDICAL: FieldGroup.MEDICAL_PSYCHOLOGICAL,
    SupportServiceKind.PSYCHOLOGICAL: FieldGroup.MEDICAL_PSYCHOLOGICAL,
}
AUDITED_GROUPS = frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACTS_RELATIVES})


@dataclass(frozen=True)
class CaseView:
    """What one user may see of one case in one request."""

    groups: frozenset[str]
    reason: str = ""
    erased: bool = False
    unit_id: int | None = None  # the reader's unit
    # After its hold ended (completed): only the records the reader's unit made.
    own_records_only: bool = False
    ended_as: str = ""  # how the reader's unit's hold ended, when it no longer holds the case

    def person_fields(self, role: str) -> list[str]:
        if PERSON_ROLE_GROUP[role] not in self.groups:
            return []
        return [
            name for group, names in PERSON_FIELDS.items() if group in self.groups for name in names
        ]

    def shows(self, group: str) -> bool:
        return group in self.groups

    def shows_service(self, kind: str, *unit_ids: int | None) -> bool:
        """Whether a support service (or a referral for one) of this kind may be shown: to
        those who may see its field group, and to the units named (provider, sender...)."""
        group = SENSITIVE_SERVICE_KINDS.get(kind)
        return group is None or group in self.groups or self.unit_id in unit_ids


def case_view(user: User, case: Case, *, reason: str = "") -> CaseView:
    """What the user sees of the case: by need-to-know while their unit holds it; once the
    hold ended, as CaseHolding's HOLDING_SIGHT says for how it ended."""
    if case.data_key.destroyed_at is not None:
        return CaseView(frozenset(), reason, erased=True, unit_id=user.unit_id)  # shredded
    by_intake = CASE_CONDITION.get(user.role) == CaseCondition.CREATED_INTAKE
    # Read only when it bears on the view: a query less on every supervisor's timeline (issue 15).
    holding = sighted_holding(user, case) if holding_decides_sight(user.role) else None
    sight = holding.sight if holding else Sight.NONE
    if sight == Sight.SUMMARY:
        return CaseView(
            frozenset(),
            reason,
            unit_id=user.unit_id,
            own_records_only=True,
            ended_as=holding.ended_as,
        )
    referral_groups = set(holding.field_groups) if holding and holding.field_groups else None
    groups = visible_field_groups(
        user,
        holds_case=sight == Sight.FULL,
        referral_groups=referral_groups,
        reason=reason,
        created_intake=by_intake and case.intakes.filter(received_by=user).exists(),
    )
    return CaseView(frozenset(groups), reason, unit_id=user.unit_id)


def _person(person: Person, view: CaseView) -> dict:
    data = {
        "id": str(person.uuid),
        "role": person.role,
        "sex": person.sex,
        "age_group": person.age_group,
        "nationality": person.nationality,
        "province": person.province_id,
        "language": person.language,
        "languages": person.languages,
        "interpreter_needed": person.interpreter_needed,
        "relationship": None if view.erased else person.relationship,
    }
    for name in view.person_fields(person.role):
        value = getattr(person, name)
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


@dataclass(frozen=True)
class RecordShape:
    """How one kind of record of a case is shown: the related name, the fields everyone who
    may see the case gets (output name → attribute path), and the protected fields with the
    field group each belongs to, shown only to users with that group."""

    related: str
    fields: dict[str, str]
    protected: dict[str, str] = field(default_factory=dict)
    order_by: tuple[str, ...] = ()
    # Whether a whole record may be shown (for records that belong to a field group).
    shown_to: Callable[[object, CaseView], bool] = lambda record, view: True
    # The attribute path of the id of the unit that made the record ("" when none is kept).
    made_by: str = ""

    def shows(self, record, view: CaseView) -> bool:
        if view.own_records_only and (
            not self.made_by or _attribute(record, self.made_by) != view.unit_id
        ):
            return False
        return self.shown_to(record, view)

    def present(self, record, view: CaseView) -> dict:
        shown = {name: _attribute(record, path) for name, path in self.fields.items()}
        shown |= {
            name: getattr(record, name)
            for name, group in self.protected.items()
            if view.shows(group)
        }
        return shown

    def rows(self, case: Case):
        units = sorted({path.split(".")[0] for path in self.fields.values() if "." in path})
        records = getattr(case, self.related).select_related(*units)
        return records.order_by(*self.order_by) if self.order_by else records


def _attribute(record, path: str):
    value = record
    for name in path.split("."):
        value = None if value is None else getattr(value, name)
    return str(value) if path.endswith("uuid") else value


# Every record of a case shown on the case page and in GET /api/v1/cases/{id}/.
RECORDS = {
    "intakes": RecordShape(
        "intakes",
        {
            "id": "uuid",
            "channel": "channel",
            "received_at": "received_at",
            "unit": "unit.code",
            "linked_as_duplicate": "linked_as_duplicate",
        },
        {"narrative": FieldGroup.NARRATIVE},
        made_by="unit_id",
    ),
    "screenings": RecordShape(
        "screenings",
        {
            name: name
            for name in ("indicators", "purposes", "recommendation", "reasons", "screened_at")
        },
        made_by="screened_by.unit_id",
    ),
    "verifications": RecordShape(
        "verifications",
        {"id": "uuid", "outcome": "outcome", "unit": "unit.code", "recorded_at": "recorded_at"},
        {"finding": FieldGroup.INVESTIGATION},
        made_by="unit_id",
    ),
    "identifications": RecordShape(
        "identifications",
        {
            "id": "uuid",
            "is_victim": "is_victim",
            "document_type": "document_type",
            "issuing_unit": "issuing_unit.code",
            "decided_at": "decided_at",
        },
        {"document_number": FieldGroup.LEGAL},
        made_by="issuing_unit_id",
    ),
    "rescues": RecordShape(
        "rescues",
        {name: name for name in ("partner_authority", "country", "requested_at", "rescued_at")},
        made_by="requested_by_unit_id",
    ),
    "protections": RecordShape(
        "protections",
        {
            "id": "uuid",
            "kind": "kind",
            "unit": "unit.code",
            "starts_at": "starts_at",
            "ends_at": "ends_at",
            "limit_citation": "limit_citation",
            "refused": "refused",
        },
        {"details": FieldGroup.REPATRIATION},
        made_by="unit_id",
    ),
    "services": RecordShape(
        "services",
        {
            "id": "id",
            "kind": "kind",
            "status": "status",
            "provider_unit__code": "provider_unit.code",
            **{n: n for n in ("requested_at", "provided_at", "declined_at", "amount", "currency")},
        },
        shown_to=lambda service, view: view.shows_service(service.kind, service.provider_unit_id),
        made_by="recorded_by.unit_id",
    ),
    "consents": RecordShape(
        "consents",
        {
            "id": "id",
            "recipient_kind": "recipient_kind",
            "unit__code": "unit.code",
            **{n: n for n in ("purpose", "status", "given_by", "informed_how")},
            **{n: n for n in ("informed_language", "recorded_at")},
        },
        made_by="recorded_by.unit_id",
    ),
    "holders": RecordShape(
        "holdings",
        {"unit__code": "unit.code", "basis": "basis", "since": "since", "until": "until"},
        order_by=("since",),
        made_by="unit_id",
    ),
}


def case_records(case: Case, view: CaseView) -> dict:
    """The case's people and records as this user may see them; hidden fields are left out
    entirely (not blanked)."""
    return {
        "field_groups": sorted(view.groups),
        "identity_erased": view.erased,
        "people": [_person(p, view) for p in case.people.order_by("id")],
        **{
            key: [
                shape.present(record, view)
                for record in shape.rows(case)
                if shape.shows(record, view)
            ]
            for key, shape in RECORDS.items()
        },
    }
