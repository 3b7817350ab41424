"""Taking a report (tiếp nhận tin báo): open a new case, or link the report to one."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, Unit, User
from config.errors import IdempotencyKeyReused, InvalidInput, NotAllowed
from places.models import VIETNAM_TZ, Province
from places.selectors import province_on_date
from rulebooks.models import Rulebook, SupportServiceKind
from rulebooks.selectors import remembered_rulebook_for
from security.audit import new_event, record_event, record_events
from security.blind_index import id_number_index, name_birth_year_index, phone_index
from security.idempotency import key_digest
from security.models import data_key_to_write_under
from security.services import create_data_key

from ..inputs import IntakeData, PersonData
from ..metrics import INTAKES_CREATED
from ..minors import PresumedMinorRule, age_group
from ..models import (
    Case,
    CaseHolding,
    CaseNumberSequence,
    Intake,
    Person,
    PersonRole,
    SupportService,
)
from ..selectors import duplicates_of_intake
from ..signals import stage_changed


@dataclass
class IntakeResult:
    intake: Intake
    case: Case
    created_case: bool
    possible_duplicates: list[Case]
    replayed: bool = False


def _reserve_case_number(actor: User, data: IntakeData, received_at: datetime) -> str:
    """The case's number, taken before the intake's transaction by one UPDATE, which commits
    on its own (autocommit): concurrent intakes never queue behind each other for the whole
    intake (a failed intake leaves a gap)."""
    return _next_case_number(_case_prefix(actor.unit, data.victim), received_at.year)


# The counter's row is every intake's of the unit (one prefix and year): its UPDATE commits
# without waiting for its WAL to reach the disk (PostgreSQL's synchronous_commit off, for this
# statement's transaction only), so that the next intake's UPDATE does not queue behind an
# fsync (issue 15: at 16 clients, a quarter of a session on average waited for that row while
# its holder waited for the disk). Nothing can be lost: the intake that uses the number
# commits later, synchronously, which writes the WAL up to its own commit, the counter's
# before it; a crash before that took a number of an intake that never committed, a gap as a
# failed intake leaves.
_ON_ITS_OWN = {"postgresql": " AND set_config('synchronous_commit', 'off', true) = 'off'"}


def _next_case_number(prefix: str, year: int) -> str:
    """The next number of the prefix and year, counted atomically in one statement."""
    table = CaseNumberSequence._meta.db_table
    increment = (
        f"UPDATE {table} SET last = last + 1 WHERE prefix = %s AND year = %s"  # noqa: S608
        # Within a caller's transaction (a hotline call), the commit is the caller's: as is.
        + ("" if connection.in_atomic_block else _ON_ITS_OWN.get(connection.vendor, ""))
        + " RETURNING last"
    )
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
        return province_on_date(unit.province, timezone.localdate(received_at, VIETNAM_TZ))
    if victim.province_id:
        return Province.objects.get(pk=victim.province_id)
    return None


def _person(case: Case, role: str, data: PersonData) -> Person:
    return Person(
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
        languages=data.languages,
        interpreter_needed=data.interpreter_needed or data.needs_interpretation,
        phone_index=phone_index(data.phone) or "",
        id_number_index=id_number_index(data.id_number) or "",
        name_year_index=name_birth_year_index(data.full_name, data.birth_year) or "",
    )


def _add_people(case: Case, people: list[tuple[str, PersonData]]) -> list[Person]:
    """The people of an intake in one INSERT, under the case's data key held as Person.save()
    holds it (security.models.EncryptedModel: not locked again when this transaction created
    it); each value is encrypted per row, bound to its row, as save() does."""
    case.data_key = data_key_to_write_under(case.data_key_id)
    return Person.objects.bulk_create([_person(case, role, data) for role, data in people])


# Integration accounts: the hotline's telephony system files the calls it took.
INTAKE_ROLES = (Role.HOTLINE_OPERATOR, Role.CASEWORKER, Role.INTEGRATION)


def _validate_intake(actor: User, data: IntakeData) -> None:
    if actor.unit_id is None or actor.role not in INTAKE_ROLES:
        raise NotAllowed(_("Only hotline operators and caseworkers of a unit take intakes."))
    if not (data.victim.full_name or data.victim.phone or data.narrative):
        raise InvalidInput(_("An intake needs at least the victim's name, a phone or a narrative."))


def _open_case(
    actor: User, data: IntakeData, received_at: datetime, number: str, rulebook: Rulebook
) -> Case:
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
    return case


def _people_of(data: IntakeData, *, opened: bool) -> list[tuple[str, PersonData]]:
    """The people the intake adds: the victim and relatives of a case it opens, its reporter."""
    people = [(PersonRole.VICTIM, data.victim)] if opened else []
    people += [(PersonRole.RELATIVE, relative) for relative in data.relatives if opened]
    return people + ([(PersonRole.REPORTER, data.reporter)] if data.reporter else [])


def _offer_interpretation(actor: User, case: Case, received_at: datetime) -> None:
    """A victim who speaks no Vietnamese is offered interpretation (Law 53/2024/QH15 Art. 37)
    from the first minute, by the receiving unit; the victim may still decline it."""
    service = SupportService.objects.create(
        case=case,
        data_key=case.data_key,
        kind=SupportServiceKind.INTERPRETATION,
        provider_unit=actor.unit,
        requested_at=received_at,
        recorded_by=actor,
    )
    record_event(
        "service.request", actor=actor, case=case, obj=service, details={"kind": service.kind}
    )


def create_intake(
    actor: User, data: IntakeData, *, idempotency_key: str = "", fingerprint: str = ""
) -> IntakeResult:
    """Take a report (tiếp nhận tin báo): open a new case, or link to an existing one.

    A retried request with the same Idempotency-Key and the same request `fingerprint`
    returns the first intake unchanged; the same key with another request is refused
    (IdempotencyKeyReused), never silently answered with the first intake.
    """
    _validate_intake(actor, data)
    key = key_digest(actor.pk, idempotency_key) if idempotency_key else ""
    if key and (replay := _replayed_intake(actor, data, key, fingerprint)):
        return replay
    received_at = data.received_at or timezone.now()
    # Before a number is taken: with no rulebook in force, nothing is stored.
    rulebook = remembered_rulebook_for(received_at)
    duplicates = duplicates_of_intake(actor, data)
    number = None if data.link_to_case else _reserve_case_number(actor, data, received_at)
    try:
        with transaction.atomic():
            case = data.link_to_case or _open_case(actor, data, received_at, number, rulebook)
            intake = _record_intake(actor, case, data, received_at, key, fingerprint)
            # The process follows once this commits (workflows.services: an outbox row).
            stage_changed.send(Case, case=case, opened=number is not None)
            if number is not None and data.victim.needs_interpretation:
                _offer_interpretation(actor, case, received_at)
            _audit_intake(actor, intake, opened=number is not None, duplicates=len(duplicates))
            transaction.on_commit(_counter(intake, opened=number is not None).inc)
    except IntegrityError:
        if key and (replay := _replayed_intake(actor, data, key, fingerprint)):
            return replay
        raise
    others = [c for c in duplicates if c.pk != case.pk]
    return IntakeResult(intake, case, data.link_to_case is None, others)


def _counter(intake: Intake, *, opened: bool):
    """The intakes counter's series for this intake (counted once it is committed)."""
    return INTAKES_CREATED.labels(channel=intake.channel, opened_case=str(opened).lower())


def _record_intake(
    actor: User, case: Case, data: IntakeData, received_at: datetime, key: str, fingerprint: str
) -> Intake:
    """The report itself, its reporter, and the receiving unit's hold on the case."""
    people = _add_people(case, _people_of(data, opened=data.link_to_case is None))
    reporter = people[-1] if data.reporter else None
    intake = Intake.objects.create(
        case=case,
        data_key=case.data_key,
        channel=data.channel,
        received_at=received_at,
        received_by=actor,
        unit=actor.unit,
        reporter=reporter,
        narrative=data.narrative,
        linked_as_duplicate=data.link_to_case is not None,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
    )
    # A case opened here is already held by the unit (as lead). The hotline takes calls and
    # hands them over: a further call about a case does not give it a hold of the case.
    if data.link_to_case and actor.unit.kind != AgencyKind.HOTLINE:
        _hold(case, actor.unit, CaseHolding.Basis.RECEIVED, received_at)
    return intake


def _audit_intake(actor: User, intake: Intake, *, opened: bool, duplicates: int) -> None:
    """The intake's audit events, in one INSERT (appended unsealed, without a lock:
    security.audit)."""
    case = intake.case
    events = []
    if opened:
        details = {"rulebook": case.rulebook, "presumed_minor": case.presumed_minor}
        events.append(new_event("case.create", actor=actor, case=case, details=details))
    details = {"linked": intake.linked_as_duplicate, "duplicates": duplicates}
    events.append(new_event("intake.create", actor=actor, case=case, obj=intake, details=details))
    record_events(events)


def _replayed_intake(
    actor: User, data: IntakeData, key: str, fingerprint: str
) -> IntakeResult | None:
    """The first intake sent with this key, presented as it was answered (its duplicates
    looked up again); a different request under the same key is refused."""
    intake = Intake.objects.filter(received_by=actor, idempotency_key=key).first()
    if intake is None:
        return None
    if intake.idempotency_fingerprint not in ("", fingerprint):  # "": recorded before
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different request.")
        )
    case = intake.case
    others = [c for c in duplicates_of_intake(actor, data) if c.pk != case.pk]
    return IntakeResult(intake, case, not intake.linked_as_duplicate, others, replayed=True)


def _hold(case: Case, unit: Unit, basis: str, since: datetime) -> None:
    if not case.holdings.filter(unit=unit, until__isnull=True).exists():
        CaseHolding.objects.create(case=case, unit=unit, basis=basis, since=since)
