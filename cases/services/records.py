"""The records of a case: screening, findings, decisions, rescue, protection, services,
consent. Each is added by a unit holding the case, audited, and raises the case's version."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Unit, User
from config.errors import Conflict, InvalidInput, NotAllowed
from rulebooks.purposes import PURPOSE_CHOICES
from rulebooks.selectors import deadline_for, eligible_services
from security.audit import record_event
from security.models import EncryptedModel

from .. import permissions
from ..models import (
    Case,
    Consent,
    ConsentInformed,
    Identification,
    Intake,
    ProtectionKind,
    ProtectionMeasure,
    Rescue,
    Screening,
    ServiceStatus,
    SupportService,
    Verification,
)
from ..screening import recommend


def record_screening(actor: User, case: Case, *, indicators: list[str], purposes: list[str]):
    """Sàng lọc: the checklist and its recommendation; suspected purposes join the case's."""
    permissions.require_holder(actor, case)
    return _screening(actor, case, indicators, purposes)


def record_call_screening(
    actor: User, intake: Intake, *, indicators: list[str], purposes: list[str]
) -> Screening:
    """The checklist of a further call about a case, recorded by the person who took the
    call even when their unit no longer holds the case (the hotline, after its handover)."""
    if actor.role not in permissions.CASE_WORKING_ROLES or intake.received_by_id != actor.pk:
        raise NotAllowed(_("Only the person who took the call records its screening."))
    return _screening(actor, intake.case, indicators, purposes)


def _screening(actor: User, case: Case, indicators: list[str], purposes: list[str]) -> Screening:
    recommendation, reasons = recommend(indicators, purposes)
    with transaction.atomic():
        screening = _create_record(
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


def bump_version(case: Case) -> None:
    """Record that the case changed (a record was added), for optimistic checks."""
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _add_record(actor: User, case: Case, model, action: str, audit_details: dict, **fields):
    """Create one record of a case, audited, by a unit that holds the case."""
    permissions.require_holder(actor, case)
    return _create_record(actor, case, model, action, audit_details, **fields)


def _create_record(actor: User, case: Case, model, action: str, audit_details: dict, **fields):
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
    informed_how: str,
    informed_language: str,
    unit: Unit | None = None,
    given_by: str = "victim",
):
    """Sự đồng ý: given, refused or withdrawn, for one kind of recipient (optionally one unit
    of it) and one purpose; with how, and in which language, the victim was informed."""
    if recipient_kind not in AgencyKind.values:
        raise InvalidInput(_("Unknown recipient agency kind."), "recipient_kind")
    if purpose not in dict(PURPOSE_CHOICES):
        raise InvalidInput(_("Unknown purpose."), "purpose")
    if unit is not None and unit.kind != recipient_kind:
        raise InvalidInput(_("The unit is not of the recipient agency kind."), "unit_kind")
    if not informed_language.strip() or informed_how not in ConsentInformed.values:
        raise InvalidInput(
            _("Record how, and in which language, the victim was informed."), "informed"
        )
    return _add_record(
        actor,
        case,
        Consent,
        f"consent.{status}",
        {
            "recipient_kind": recipient_kind,
            "purpose": purpose,
            "unit": unit.code if unit else None,
            "informed_how": informed_how,
            "informed_language": informed_language,
        },
        recipient_kind=recipient_kind,
        unit=unit,
        purpose=purpose,
        status=status,
        given_by=given_by,
        informed_how=informed_how,
        informed_language=informed_language.strip(),
        recorded_at=timezone.now(),
        recorded_by=actor,
    )
