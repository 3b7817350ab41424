"""Changes to cases. Each service checks permission, changes state inside one transaction,
keeps the case's viewflow process in step in that same transaction and writes the audit event
(DESIGN.md §3)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agencies.models import AgencyKind, Role, Unit, User
from config.errors import Conflict, InvalidInput, NotAllowed
from places.models import Province
from places.selectors import province_on_date
from rulebooks.selectors import deadline_for, eligible_services, rulebook_for
from security.audit import record_event
from security.blind_index import id_number_index, name_birth_year_index, phone_index
from security.models import EncryptedModel
from security.services import create_data_key, destroy_data_key

from . import permissions, requirements
from .minors import AgeEvidence, PresumedMinorRule, age_group
from .models import (
    Case,
    CaseHolding,
    CaseNumberSequence,
    Consent,
    Identification,
    Intake,
    Person,
    PersonRole,
    ProtectionKind,
    ProtectionMeasure,
    Rescue,
    Screening,
    ServiceStatus,
    StateChange,
    SupportService,
    Verification,
)
from .screening import recommend
from .selectors import possible_duplicates
from .signals import stage_changed


@dataclass
class PersonData:
    """What an intake says about one person; identity fields are encrypted on save."""

    full_name: str = ""
    other_names: str = ""
    birth_year: str = ""
    stated_age: int | None = None
    assessed_min_age: int | None = None
    assessed_max_age: int | None = None
    childhood_indicators: bool = False
    id_number: str = ""
    phone: str = ""
    address: str = ""
    relationship: str = ""
    sex: str = "unknown"
    nationality: str = "VN"
    province_id: str | None = None
    language: str = ""
    interpreter_needed: bool = False

    @property
    def age_evidence(self) -> AgeEvidence:
        return AgeEvidence(
            stated_age=self.stated_age,
            assessed_min=self.assessed_min_age,
            assessed_max=self.assessed_max_age,
            childhood_indicators=self.childhood_indicators,
        )


@dataclass
class IntakeData:
    channel: str
    victim: PersonData
    reporter: PersonData | None = None
    relatives: list[PersonData] = field(default_factory=list)
    narrative: str = ""
    received_at: datetime | None = None
    purposes: list[str] = field(default_factory=list)
    destination_country: str = ""
    is_abroad: bool = False
    link_to_case: Case | None = None


@dataclass
class IntakeResult:
    intake: Intake
    case: Case
    created_case: bool
    possible_duplicates: list[Case]
    replayed: bool = False


def _reserve_case_number(actor: User, data: IntakeData, received_at: datetime) -> str:
    with transaction.atomic():
        return _next_case_number(_case_prefix(actor.unit, data.victim), received_at.year)


def _next_case_number(prefix: str, year: int) -> str:
    """The next number of the prefix and year, counted atomically in one statement."""
    table = CaseNumberSequence._meta.db_table
    increment = f"UPDATE {table} SET last = last + 1 WHERE prefix = %s AND year = %s RETURNING last"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(increment, [prefix, year])
        row = cursor.fetchone()
        if row is None:  # the first case of the year: create the counter, then count
            CaseNumberSequence.objects.get_or_create(prefix=prefix, year=year)
            cursor.execute(increment, [prefix, year])
            row = cursor.fetchone()
    return f"{prefix}-{year}-{row[0]:06d}"


def _case_prefix(unit: Unit, victim: PersonData) -> str:
    if unit.province_id:
        return unit.province.abbreviation
    if victim.province_id:
        return Province.objects.get(pk=victim.province_id).abbreviation
    return "TW"  # trung ương: national bodies such as the hotline


def _province_when_received(unit: Unit, victim: PersonData, received_at: datetime):
    """The province of the receiving unit (or the victim's) as it was on the date received."""
    if unit.province_id:
        return province_on_date(unit.province, timezone.localdate(received_at))
    if victim.province_id:
        return Province.objects.get(pk=victim.province_id)
    return None


def _add_person(case: Case, role: str, data: PersonData) -> Person:
    person = Person(
        case=case,
        data_key=case.data_key,
        role=role,
        full_name=data.full_name,
        other_names=data.other_names,
        birth_year=str(data.birth_year or ""),
        stated_age="" if data.stated_age is None else str(data.stated_age),
        id_number=data.id_number,
        phone=data.phone,
        address=data.address,
        relationship=data.relationship,
        sex=data.sex,
        age_group=age_group(data.age_evidence.best_age),
        nationality=data.nationality,
        province_id=data.province_id,
        language=data.language,
        interpreter_needed=data.interpreter_needed,
        phone_index=phone_index(data.phone) or "",
        id_number_index=id_number_index(data.id_number) or "",
        name_year_index=name_birth_year_index(data.full_name, data.birth_year) or "",
    )
    person.save()
    return person


def _validate_intake(actor: User, data: IntakeData) -> None:
    if actor.unit_id is None or actor.role not in (Role.HOTLINE_OPERATOR, Role.CASEWORKER):
        raise NotAllowed(_("Only hotline operators and caseworkers of a unit take intakes."))
    if not (data.victim.full_name or data.victim.phone or data.narrative):
        raise InvalidInput(_("An intake needs at least the victim's name, a phone or a narrative."))


def _open_case(actor: User, data: IntakeData, received_at: datetime, number: str) -> Case:
    rulebook = rulebook_for(received_at)
    case = Case(
        data_key=create_data_key(),
        number=number,
        rulebook=rulebook.code,
        received_at=received_at,
        channel=data.channel,
        province=_province_when_received(actor.unit, data.victim, received_at),
        purposes=data.purposes,
        destination_country=data.destination_country,
        is_abroad=data.is_abroad,
        presumed_minor=PresumedMinorRule.of(rulebook).applies(data.victim.age_evidence),
        lead_unit=actor.unit,
        created_by=actor,
    )
    case.save()
    CaseHolding.objects.create(
        case=case, unit=actor.unit, basis=CaseHolding.Basis.LEAD, since=received_at
    )
    _add_person(case, PersonRole.VICTIM, data.victim)
    for relative in data.relatives:
        _add_person(case, PersonRole.RELATIVE, relative)
    return case


def create_intake(actor: User, data: IntakeData, *, idempotency_key: str = "") -> IntakeResult:
    """Take a report (tiếp nhận tin báo): open a new case, or link to an existing one.

    A retried request with the same Idempotency-Key returns the first intake unchanged.
    """
    _validate_intake(actor, data)
    if idempotency_key and (replay := _replayed_intake(actor, idempotency_key)):
        return replay
    received_at = data.received_at or timezone.now()
    duplicates = possible_duplicates(
        actor,
        phones=[p.phone for p in (data.victim, data.reporter) if p and p.phone],
        id_number=data.victim.id_number,
        name=data.victim.full_name,
        birth_year=data.victim.birth_year,
    )
    # The case number is taken in its own short transaction, so that concurrent intakes do
    # not queue behind each other for the whole intake (a failed intake leaves a gap).
    number = None if data.link_to_case else _reserve_case_number(actor, data, received_at)
    try:
        with transaction.atomic():
            case = data.link_to_case or _open_case(actor, data, received_at, number)
            reporter = data.reporter and _add_person(case, PersonRole.REPORTER, data.reporter)
            intake = Intake.objects.create(
                case=case,
                data_key=case.data_key,
                channel=data.channel,
                received_at=received_at,
                received_by=actor,
                unit=actor.unit,
                reporter=reporter or None,
                narrative=data.narrative,
                linked_as_duplicate=data.link_to_case is not None,
                idempotency_key=idempotency_key,
            )
            _hold(case, actor.unit, CaseHolding.Basis.RECEIVED, received_at)
            stage_changed.send(Case, case=case)  # the process starts in this transaction
            # Audit last: the ledger's chain is one lock, held from here to the commit.
            if number:
                record_event(
                    "case.create",
                    actor=actor,
                    case=case,
                    details={"rulebook": case.rulebook, "presumed_minor": case.presumed_minor},
                )
            record_event(
                "intake.create",
                actor=actor,
                case=case,
                obj=intake,
                details={"linked": data.link_to_case is not None, "duplicates": len(duplicates)},
            )
    except IntegrityError:
        if idempotency_key and (replay := _replayed_intake(actor, idempotency_key)):
            return replay
        raise
    others = [c for c in duplicates if c.pk != case.pk]
    return IntakeResult(intake, case, data.link_to_case is None, others)


def _replayed_intake(actor: User, key: str) -> IntakeResult | None:
    intake = Intake.objects.filter(received_by=actor, idempotency_key=key).first()
    if intake is None:
        return None
    return IntakeResult(intake, intake.case, False, [], replayed=True)


def _hold(case: Case, unit: Unit, basis: str, since: datetime) -> None:
    if not case.holdings.filter(unit=unit, until__isnull=True).exists():
        CaseHolding.objects.create(case=case, unit=unit, basis=basis, since=since)


def record_screening(actor: User, case: Case, *, indicators: list[str], purposes: list[str]):
    """Sàng lọc: the checklist and its recommendation; suspected purposes join the case's."""
    recommendation, reasons = recommend(indicators, purposes)
    with transaction.atomic():
        screening = _add_record(
            actor,
            case,
            Screening,
            "screening.record",
            {"recommendation": recommendation, "indicators": sorted(set(indicators))},
            indicators=sorted(set(indicators)),
            purposes=sorted(set(purposes)),
            recommendation=recommendation,
            reasons=reasons,
            screened_by=actor,
        )
        if purposes:
            Case.objects.filter(pk=case.pk).update(
                purposes=sorted(set(case.purposes) | set(purposes))
            )
    return screening


def transition_case(
    actor: User,
    case: Case,
    name: str,
    *,
    reason: str = "",
    closure_reason: str = "",
    duplicate_of: Case | None = None,
    expected_version: int | None = None,
) -> Case:
    """Move the case through the state machine (chuyển giai đoạn), or refuse with a clear error.

    The row is locked for the whole change, so of two concurrent changes one waits and then
    sees the new state; a client that read an older version gets 409 instead of overwriting.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if expected_version is not None and expected_version != case.version:
            raise Conflict(_("The case was changed by someone else; reload it."), "stale")
        method = permissions.transition_method(case, name)
        permissions.require_transition_actor(actor, case, name)
        missing = requirements.missing_for(
            case, name, reason=reason, closure_reason=closure_reason, duplicate_of=duplicate_of
        )
        if missing:
            raise InvalidInput(
                _("Record first: %(missing)s.") % {"missing": ", ".join(missing)},
                "missing_records",
            )
        source = case.state
        if name == "close":
            case.closure_reason = closure_reason
            case.duplicate_of = duplicate_of
        try:
            method(reason=reason) if name in ("close", "reopen") else method()
            case.version += 1
            case.save()
        except (TransitionNotAllowed, ConcurrentTransition) as exc:
            raise Conflict(_("The case moved on meanwhile; reload it."), "conflict") from exc
        StateChange.objects.create(
            case=case,
            transition=name,
            source=source,
            target=case.state,
            actor=actor,
            unit=actor.unit,
            at=timezone.now(),
            reason=reason,
        )
        stage_changed.send(Case, case=case)  # the process follows in this transaction
        record_event(
            "case.transition",
            actor=actor,
            case=case,
            reason=reason,
            details={"transition": name, "from": source, "to": case.state},
        )
    return case


def bump_version(case: Case) -> None:
    """Record that the case changed (a record was added), for optimistic checks."""
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _add_record(actor: User, case: Case, model, action: str, audit_details: dict, **fields):
    """Create one record of a case, audited, by a unit that holds the case."""
    permissions.require_holder(actor, case)
    with transaction.atomic():
        if issubclass(model, EncryptedModel):
            fields["data_key_id"] = case.data_key_id
        record = model(case=case, **fields)
        record.full_clean(exclude=["case", "data_key"])
        record.save()
        bump_version(case)
        record_event(action, actor=actor, case=case, obj=record, details=audit_details)
    return record


def record_verification(actor: User, case: Case, *, outcome: str, finding: str = ""):
    """Kết quả xác minh of the verifying unit."""
    return _add_record(
        actor,
        case,
        Verification,
        "verification.record",
        {"outcome": outcome},
        outcome=outcome,
        finding=finding,
        unit=actor.unit,
        recorded_by=actor,
    )


def record_identification(
    actor: User,
    case: Case,
    *,
    is_victim: bool,
    document_type: str = "",
    document_number: str = "",
    decided_at: datetime | None = None,
):
    """Xác định nạn nhân: the decision with its document type and number."""
    if is_victim and not (document_type and document_number):
        raise InvalidInput(_("Identifying a victim needs the document type and number."))
    return _add_record(
        actor,
        case,
        Identification,
        "identification.record",
        {"is_victim": is_victim, "document_type": document_type},
        is_victim=is_victim,
        document_type=document_type,
        document_number=document_number,
        issuing_unit=actor.unit,
        decided_at=decided_at or timezone.now(),
        recorded_by=actor,
    )


def request_rescue(actor: User, case: Case, *, partner_authority: str = "", country: str = ""):
    return _add_record(
        actor,
        case,
        Rescue,
        "rescue.request",
        {"country": country},
        requested_by_unit=actor.unit,
        requested_at=timezone.now(),
        partner_authority=partner_authority,
        country=country,
        recorded_by=actor,
    )


def record_rescue_done(actor: User, case: Case, *, rescued_at: datetime | None = None):
    permissions.require_holder(actor, case)
    rescue = case.rescues.order_by("-requested_at").first()
    if rescue is None:
        raise InvalidInput(_("Record the rescue request first."), "missing_records")
    with transaction.atomic():
        rescue.rescued_at = rescued_at or timezone.now()
        rescue.save(update_fields=["rescued_at"])
        bump_version(case)
        record_event("rescue.done", actor=actor, case=case, obj=rescue)
    return rescue


def add_protection_measure(
    actor: User,
    case: Case,
    *,
    kind: str,
    details: str = "",
    refused: bool = False,
    refusal_commitment: str = "",
    starts_at: datetime | None = None,
):
    """Biện pháp bảo vệ; a shelter stay carries the rulebook's limit and its citation."""
    if refused and not refusal_commitment:
        raise InvalidInput(_("A refused measure needs the person's written commitment."))
    starts_at = starts_at or timezone.now()
    ends_at, citation = None, ""
    if kind == ProtectionKind.SHELTER:
        ends_at, rule = deadline_for(case.rulebook, "shelter_essential_needs", starts_at)
        citation = rule.citation
    return _add_record(
        actor,
        case,
        ProtectionMeasure,
        "protection.record",
        {"kind": kind, "refused": refused},
        kind=kind,
        unit=actor.unit,
        decided_by=actor,
        starts_at=starts_at,
        ends_at=ends_at,
        limit_citation=citation,
        details=details,
        refused=refused,
        refusal_commitment=refusal_commitment,
    )


def service_eligibility(case: Case) -> list[str]:
    """The services this person is entitled to now, by status (Law 53/2024/QH15 Art. 37)."""
    return eligible_services(
        case.rulebook,
        identified=case.identifications.filter(is_victim=True).exists(),
        accompanying_minor=False,
        abroad=case.is_abroad,
    )


def request_service(
    actor: User,
    case: Case,
    *,
    kind: str,
    provider_unit: Unit | None = None,
    amount=None,
    currency: str = "",
    note: str = "",
):
    if kind not in service_eligibility(case):
        raise InvalidInput(
            _("The person is not entitled to this service at their current status."),
            "not_eligible",
        )
    if amount is not None and not currency:
        raise InvalidInput(_("An amount needs its currency."))
    return _add_record(
        actor,
        case,
        SupportService,
        "service.request",
        {"kind": kind},
        kind=kind,
        provider_unit=provider_unit or actor.unit,
        requested_at=timezone.now(),
        amount=amount,
        currency=currency,
        note=note,
        recorded_by=actor,
    )


def update_service(actor: User, service: SupportService, *, status: str, amount=None):
    """Mark a service provided, or declined by the victim (the refusal is kept)."""
    permissions.require_holder(actor, service.case)
    if status not in (ServiceStatus.PROVIDED, ServiceStatus.DECLINED):
        raise InvalidInput(_("A service can only become provided or declined."))
    if service.status != ServiceStatus.REQUESTED:
        raise Conflict(_("This service is already %(status)s.") % {"status": service.status})
    with transaction.atomic():
        service.status = status
        now = timezone.now()
        if status == ServiceStatus.PROVIDED:
            service.provided_at = now
            service.amount = amount if amount is not None else service.amount
        else:
            service.declined_at = now
        service.save()
        bump_version(service.case)
        record_event(
            f"service.{status}",
            actor=actor,
            case=service.case,
            obj=service,
            details={"kind": service.kind},
        )
    return service


def record_consent(
    actor: User,
    case: Case,
    *,
    recipient_kind: str,
    purpose: str,
    status: str,
    given_by: str = "victim",
):
    """Sự đồng ý: given, refused or withdrawn, for one kind of recipient and one purpose."""
    if recipient_kind not in AgencyKind.values:
        raise InvalidInput(_("Unknown recipient agency kind."))
    return _add_record(
        actor,
        case,
        Consent,
        f"consent.{status}",
        {"recipient_kind": recipient_kind, "purpose": purpose},
        recipient_kind=recipient_kind,
        purpose=purpose,
        status=status,
        given_by=given_by,
        recorded_at=timezone.now(),
        recorded_by=actor,
    )


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
