"""Changes to referrals (chuyển giao): send, accept, reject, complete, withdraw; the sweep.

Each service checks who may act, changes the status through the state machine inside one
transaction with the referral row locked, and writes the audit event in that transaction.
Of two users accepting at once, one waits for the other's lock and then gets 409.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from agencies.models import AgencyKind, Role, Unit, User
from cases.models import Case, CaseHolding, CaseState, Consent, ConsentStatus, HoldingEnd
from cases.permissions import require_holder
from config.errors import Conflict, InvalidInput, NotAllowed, NotFound
from places.models import VIETNAM_TZ, Province
from rulebooks.models import LegalBasis
from rulebooks.purposes import default_field_groups, step_for
from rulebooks.selectors import deadline_for
from security.audit import record_event
from security.policy import FieldGroup

from . import messages
from .models import OPEN_STATUSES, Escalation, EscalationLevel, Referral, ReferralStatus
from .selectors import Recipient, latest_consent
from .signals import referral_moved

SWEEP_BATCH = 2000  # due referrals marked per transaction of the sweep
ACTING_ROLES = (Role.CASEWORKER, Role.HOTLINE_OPERATOR, Role.SUPERVISOR)


def send_referral(
    actor: User,
    case: Case,
    *,
    purpose: str,
    to_unit: Unit | None = None,
    to_kind: str = "",
    to_province: Province | None = None,
    field_groups: list[str] | None = None,
    consent: Consent | None = None,
    legal_basis: LegalBasis | None = None,
    justification: str = "",
    step: str = "",
) -> Referral:
    """Gửi chuyển giao: to a unit, or to a kind of agency in a province.

    Needs the victim's consent for the receiving kind and this purpose (and this unit, when
    the consent names one) or a legal basis from the rulebook's closed list with a typed
    justification. After a refusal or withdrawal, only the roles the legal basis names may
    share on it: an override, audited, and the case's lead unit is told.
    The deadline comes from the rulebook step of the purpose (or `step`), as of now.
    """
    require_holder(actor, case)
    if case.state == CaseState.CLOSED:
        raise Conflict(_("The case is closed."), "case_closed")
    to_kind, to_province = _target(actor, to_unit, to_kind, to_province)
    groups = _field_groups(purpose, field_groups)
    justification = justification.strip()
    with transaction.atomic():
        consent, override = _sharing_basis(
            actor, case, Recipient(to_kind, purpose, to_unit), consent, legal_basis, justification
        )
        _refuse_duplicate(case, purpose, to_unit, to_kind, to_province)
        sent_at = timezone.now()
        due_at, rule = deadline_for(case.rulebook, step or step_for(purpose), sent_at)
        referral = Referral.objects.create(
            case=case,
            data_key_id=case.data_key_id,
            from_unit=actor.unit,
            to_unit=to_unit,
            to_kind=to_kind,
            to_province=to_province,
            purpose=purpose,
            field_groups=groups,
            consent=consent,
            legal_basis=None if consent else legal_basis,
            justification=None if consent else justification,
            consent_override=override,
            rule=rule,
            due_at=due_at,
            sent_at=sent_at,
            sent_by=actor,
        )
        basis = {"consent": consent.pk} if consent else {"legal_basis": legal_basis.code}
        _audit("referral.send", actor, referral, **basis)
        if override:
            _audit("referral.consent_override", actor, referral, legal_basis=legal_basis.code)
            messages.enqueue_override(referral, lead_unit_staff(case))
        messages.enqueue_arrival(referral, receivers(referral))
    return referral


def lead_unit_staff(case: Case) -> list[User]:
    """The people of the case's lead unit who act on it: told of an override."""
    if case.lead_unit_id is None:
        return []
    staff = User.objects.filter(unit_id=case.lead_unit_id, is_active=True, role__in=ACTING_ROLES)
    return list(staff.order_by("pk"))


def holders_staff(case: Case) -> list[User]:
    """The people who act on the case in the units holding it now."""
    holding = case.holdings.filter(until__isnull=True).values("unit_id")
    staff = User.objects.filter(unit_id__in=holding, is_active=True, role__in=ACTING_ROLES)
    return list(staff.order_by("pk"))


def route_referral(actor: User, referral: Referral, *, to_unit: Unit) -> Referral:
    """Phân công: the supervisor of a unit of the addressed kind in the addressed province
    routes a referral sent to "the kind in the province" to one of its units."""
    with transaction.atomic():
        referral = _locked(referral)
        if referral.to_unit_id is not None or referral.status != ReferralStatus.SENT:
            raise Conflict(_("Only an open referral to a kind of agency can be routed."), "routed")
        if actor.role != Role.SUPERVISOR or not may_receive(actor, referral):
            raise NotAllowed(_("Only a supervisor of the addressed agency routes this referral."))
        if (to_unit.kind, to_unit.province_id) != (referral.to_kind, referral.to_province_id):
            raise InvalidInput(
                _("Route it to a unit of the addressed kind in the addressed province."),
                "wrong_unit",
            )
        referral.to_unit = to_unit
        _save(referral)
        _audit("referral.route", actor, referral, to_unit=to_unit.code)
        messages.enqueue_arrival(referral, receivers(referral))
    return referral


def receivers(referral: Referral) -> list[User]:
    """The people who may accept the referral now: told when it arrives."""
    units = (
        Q(unit_id=referral.to_unit_id)
        if referral.to_unit_id
        else Q(unit__kind=referral.to_kind, unit__province_id=referral.to_province_id)
    )
    candidates = User.objects.filter(units, is_active=True, role__in=ACTING_ROLES)
    return list(candidates.select_related("unit").order_by("pk"))


def _target(
    actor: User, to_unit: Unit | None, to_kind: str, to_province: Province | None
) -> tuple[str, Province | None]:
    if to_unit is not None:
        if not to_unit.is_active:
            raise InvalidInput(_("The receiving unit is not active."), "unknown_unit")
        if to_unit.pk == actor.unit_id:
            raise InvalidInput(_("A unit cannot refer a case to itself."), "same_unit")
        return to_unit.kind, to_unit.province
    if to_kind not in AgencyKind.values or to_province is None:
        raise InvalidInput(
            _("Name the receiving unit, or an agency kind and a province."), "no_recipient"
        )
    return to_kind, to_province


def _field_groups(purpose: str, field_groups: list[str] | None) -> list[str]:
    if field_groups is None:
        return default_field_groups(purpose)
    unknown = set(field_groups) - set(FieldGroup.values)
    if unknown or not field_groups:
        raise InvalidInput(_("Give one or more known field groups."), "field_groups")
    return sorted(set(field_groups))


def _sharing_basis(
    actor: User,
    case: Case,
    recipient: Recipient,
    consent: Consent | None,
    legal_basis: LegalBasis | None,
    justification: str,
) -> tuple[Consent | None, bool]:
    """The consent the referral relies on (None on a legal basis), and whether sharing on
    the legal basis overrides the victim's refusal or withdrawal.

    Every rule is checked here, with a domain error, before any database constraint fires.
    """
    latest = latest_consent(case, recipient)
    decided_no = latest is not None and latest.status != ConsentStatus.GIVEN
    if consent is not None:
        if consent.case_id != case.pk:
            raise NotFound(_("No such consent on this case."))
        if not recipient.covered_by(consent):
            raise InvalidInput(
                _("That consent is not for this recipient and purpose."), "consent_mismatch"
            )
        if consent.status != ConsentStatus.GIVEN or decided_no:
            raise InvalidInput(
                _("The victim has refused or withdrawn consent for this recipient and purpose."),
                "consent_withdrawn",
            )
        return consent, False
    if legal_basis is not None:
        if not legal_basis.is_active:
            raise InvalidInput(_("Unknown legal basis."), "unknown_legal_basis")
        if not justification:
            raise InvalidInput(
                _("Explain why the legal basis applies to this case."), "justification_required"
            )
        if decided_no and not legal_basis.may_override(actor.role, actor.unit.kind):
            raise NotAllowed(
                _(
                    "The victim has refused or withdrawn consent; your role may not share "
                    "on this legal basis."
                ),
                "override_not_allowed",
            )
        return None, decided_no
    if latest is None:
        raise InvalidInput(
            _("Record the victim's consent for this recipient and purpose, or a legal basis."),
            "no_consent",
        )
    if decided_no:
        raise InvalidInput(
            _("The victim has refused or withdrawn consent for this recipient and purpose."),
            "consent_withdrawn",
        )
    return latest, False


def _consent_withdrawn(referral: Referral) -> bool:
    latest = latest_consent(referral.case, Recipient.of(referral))
    return latest is None or latest.status != ConsentStatus.GIVEN


def _refuse_duplicate(
    case: Case, purpose: str, to_unit: Unit | None, to_kind: str, to_province: Province | None
) -> None:
    target = Q(to_unit=to_unit) if to_unit else Q(to_kind=to_kind, to_province=to_province)
    if case.referrals.filter(target, purpose=purpose, status__in=OPEN_STATUSES).exists():
        raise Conflict(_("An open referral for this purpose already exists."), "duplicate")


def accept_referral(actor: User, referral: Referral) -> Referral:
    """Tiếp nhận: the receiving unit (a caseworker, or its supervisor on its behalf) takes
    the case for the referral's purpose and gains access to its field groups."""
    with transaction.atomic():
        referral = _locked(referral)
        _require_receiver(actor, referral)
        if referral.consent_id and _consent_withdrawn(referral):
            raise Conflict(_("The victim has withdrawn consent meanwhile."), "consent_withdrawn")
        _move(referral, "accept")
        now = timezone.now()
        referral.to_unit = actor.unit
        referral.accepted_at, referral.accepted_by = now, actor
        referral.holding = CaseHolding.objects.create(
            case=referral.case,
            unit=actor.unit,
            basis=CaseHolding.Basis.REFERRAL,
            field_groups=referral.field_groups,
            since=now,
        )
        _save(referral)
        _hand_over_from_hotline(referral, now)
        _audit("referral.accept", actor, referral, late=now > referral.due_at)
        referral_moved.send(Referral, referral=referral, action="accept", actor=actor)
    return referral


def _hand_over_from_hotline(referral: Referral, now: datetime) -> None:
    """The hotline takes calls and hands them over; it never keeps a case. Once the last of
    its referrals of the case is accepted, its hold ends and, if it led the case, the unit
    that accepted its first referral leads it."""
    hotline = referral.from_unit
    handed = referral.case.referrals.filter(from_unit=hotline)
    if hotline.kind != AgencyKind.HOTLINE or handed.filter(status=ReferralStatus.SENT).exists():
        return
    case = referral.case
    case.holdings.filter(unit=hotline, until__isnull=True).update(
        **CaseHolding.ending(HoldingEnd.HANDED_OVER, now)
    )
    if case.lead_unit_id == hotline.pk:
        first = handed.exclude(accepted_at=None).order_by("accepted_at", "pk").first()
        Case.objects.filter(pk=case.pk).update(
            lead_unit_id=first.to_unit_id, version=F("version") + 1, updated_at=now
        )


def reject_referral(actor: User, referral: Referral, *, reason: str) -> Referral:
    """Từ chối, with the reason."""
    if not reason.strip():
        raise InvalidInput(_("Give the reason for rejecting the referral."), "reason")
    with transaction.atomic():
        referral = _locked(referral)
        _require_receiver(actor, referral)
        _move(referral, "reject")
        referral.rejected_at, referral.rejected_by = timezone.now(), actor
        referral.reason = reason.strip()
        _save(referral)
        # The reason may describe the person: it stays encrypted on the referral, the
        # ledger (in clear, never erased) only says one was given.
        _audit("referral.reject", actor, referral, reason_given=True)
        referral_moved.send(Referral, referral=referral, action="reject", actor=actor)
    return referral


def complete_referral(actor: User, referral: Referral) -> Referral:
    """Hoàn thành: the receiving unit keeps sight of the case it held, but no longer acts."""
    with transaction.atomic():
        referral = _locked(referral)
        _require_receiver(actor, referral)
        _move(referral, "complete")
        referral.completed_at, referral.completed_by = timezone.now(), actor
        _end_holding(referral, HoldingEnd.COMPLETED, referral.completed_at)
        _save(referral)
        _audit("referral.complete", actor, referral)
        referral_moved.send(Referral, referral=referral, action="complete", actor=actor)
    return referral


def withdraw_referral(actor: User, referral: Referral, *, reason: str = "") -> Referral:
    """Rút lại: by the sending unit, while the referral is open."""
    with transaction.atomic():
        referral = _locked(referral)
        if actor.unit_id != referral.from_unit_id or actor.role not in ACTING_ROLES:
            raise NotAllowed(_("Only the sending unit may withdraw a referral."))
        _move(referral, "withdraw")
        referral.withdrawn_at, referral.withdrawn_by = timezone.now(), actor
        referral.reason = reason.strip()
        _end_holding(referral, HoldingEnd.WITHDRAWN, referral.withdrawn_at)
        _save(referral)
        _audit("referral.withdraw", actor, referral, reason_given=bool(referral.reason))
        referral_moved.send(Referral, referral=referral, action="withdraw", actor=actor)
    return referral


def may_receive(user: User, referral: Referral) -> bool:
    """The user works in the receiving unit, or in a unit of the addressed kind and province
    while no unit has accepted yet."""
    if not user.is_active or user.unit_id is None or user.role not in ACTING_ROLES:
        return False
    if referral.to_unit_id is not None:
        return referral.to_unit_id == user.unit_id
    unit = user.unit
    return unit.kind == referral.to_kind and unit.province_id == referral.to_province_id


def _require_receiver(actor: User, referral: Referral) -> None:
    if not may_receive(actor, referral):
        raise NotAllowed(_("Only the receiving unit may do this."))


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "to_unit", "from_unit")
        .get(pk=referral.pk)
    )


def _move(referral: Referral, name: str) -> None:
    method = getattr(referral, name)
    if not can_proceed(method):
        raise Conflict(
            _("The referral is %(status)s; it cannot be changed that way.")
            % {"status": referral.get_status_display()},
            "transition_not_allowed",
        )
    method()


def _save(referral: Referral) -> None:
    try:
        referral.save()
    except ConcurrentTransition as exc:
        raise Conflict(_("The referral was changed meanwhile; reload it."), "conflict") from exc


def _end_holding(referral: Referral, end: str, at: datetime) -> None:
    """End the hold the referral gave, saying how: what the unit still sees follows from it
    (cases.models.HOLDING_SIGHT)."""
    if referral.holding_id:
        CaseHolding.objects.filter(pk=referral.holding_id, until__isnull=True).update(
            **CaseHolding.ending(end, at)
        )


def _audit(action: str, actor: User | None, referral: Referral, reason: str = "", **extra) -> None:
    record_event(
        action,
        actor=actor,
        case=referral.case,
        obj=referral,
        reason=reason,
        details={
            "purpose": referral.purpose,
            "from_unit": referral.from_unit_id,
            "to_unit": referral.to_unit_id,
            "to_kind": referral.to_kind,
            "status": referral.status,
            "due_at": referral.due_at,
            "rule": referral.rule_id,
            **extra,
        },
    )


# --- deadlines and escalation -------------------------------------------------------------


def due_referrals(now: datetime) -> QuerySet[Referral]:
    """Open referrals past their deadline and not yet marked: what the partial index covers."""
    return Referral.objects.filter(
        status=ReferralStatus.SENT, overdue_at__isnull=True, due_at__lte=now
    ).order_by("due_at")


def due_batch(now: datetime, batch_size: int) -> QuerySet[Referral]:
    """One batch for a sweeper, skipping rows another sweeper has locked."""
    return (
        due_referrals(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("case__province__merged_into", "to_unit")
        .defer("justification", "reason")[:batch_size]  # encrypted, and not needed here
    )


def sweep_overdue(now: datetime | None = None, batch_size: int = SWEEP_BATCH) -> int:
    """Mark overdue referrals and escalate each to the receiving unit's supervisors and the
    provincial Steering Committee, once (quá hạn → báo cáo vượt cấp). Returns how many.

    Set-based (issue 15): each batch of due referrals costs the same handful of statements
    however large it is (read the batch, mark it, insert its escalations, read the
    recipients, insert the outbox messages, one audit event), so the cost follows what is
    due, not what is open. Rows another sweeper holds are skipped, and the escalations and
    outbox messages are unique, so running it again changes nothing.
    """
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic():
            batch = _due_rows(now, batch_size)
            if not batch:
                return marked
            ids = [r.pk for r in batch]
            Referral.objects.filter(pk__in=ids).update(overdue_at=now)
            _insert_escalations(ids, now)
            recipients = _Recipients(batch)
            levels = EscalationLevel.values  # built anew at each read
            messages.enqueue_escalations(
                (referral, level, recipients.for_level(referral, level))
                for referral in batch
                for level in levels
            )
            record_event(
                "referral.overdue",
                details={"referrals": [str(r.uuid) for r in batch], "at": now},
            )
        marked += len(batch)


@dataclass(frozen=True)
class _DueCase:
    number: str
    province: Province | None


@dataclass(frozen=True)
class _Due:
    """What the sweep needs of one due referral: read as plain values, not model instances
    (a model per row was most of the sweep's time, issue 15)."""

    pk: int
    uuid: UUID
    purpose: str
    due_at: datetime
    to_unit_id: int | None
    to_kind: str
    to_province_id: str | None
    case: _DueCase


def _due_rows(now: datetime, batch_size: int) -> list[_Due]:
    """One batch of due referrals, locked (another sweeper skips them), with their case's
    number and province (merged provinces linked in memory: as_of() reads no more)."""
    rows = list(
        due_batch(now, batch_size).values_list(
            "pk",
            "uuid",
            "purpose",
            "due_at",
            "to_unit_id",
            "to_kind",
            "to_province_id",
            "case__number",
            "case__province_id",
        )
    )
    provinces = Province.objects.in_bulk() if rows else {}
    for province in provinces.values():
        if province.merged_into_id:
            province.merged_into = provinces[province.merged_into_id]
    return [
        _Due(*row[:7], case=_DueCase(number=row[7], province=provinces.get(row[8]))) for row in rows
    ]


def _insert_escalations(ids: list[int], now: datetime) -> None:
    """One escalation per level for each of the referrals, in one INSERT ... SELECT; one that
    exists already is left as it is."""
    escalation = Escalation._meta.db_table
    referral = Referral._meta.db_table
    levels = " UNION ALL ".join("SELECT %s AS level" for _ in EscalationLevel.values)
    sql = (
        f'INSERT INTO "{escalation}" (referral_id, level, created_at) '  # noqa: S608
        f'SELECT r.id, l.level, %s FROM "{referral}" r CROSS JOIN ({levels}) l '
        f"WHERE r.id IN ({', '.join('%s' for _ in ids)}) "
        "ON CONFLICT (referral_id, level) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *EscalationLevel.values, *ids])


class _Recipients:
    """Supervisors to notify for a batch of referrals, read in one query."""

    def __init__(self, referrals: list[_Due]):
        today = timezone.localdate(timezone=VIETNAM_TZ)
        self.provinces = {r.pk: self.province(r, today) for r in referrals}
        unit_ids = {r.to_unit_id for r in referrals if r.to_unit_id}
        provinces = set(self.provinces.values()) - {None}
        kinds = {r.to_kind for r in referrals if not r.to_unit_id}
        self.by_unit: dict[int, list[User]] = defaultdict(list)
        self.by_kind: dict[tuple[str, str], list[User]] = defaultdict(list)
        supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR).filter(
            Q(unit_id__in=unit_ids)
            | Q(
                unit__kind__in=kinds | {AgencyKind.STEERING_COMMITTEE}, unit__province__in=provinces
            )
        )
        for user in supervisors.select_related("unit").order_by("pk"):
            self.by_unit[user.unit_id].append(user)
            self.by_kind[(user.unit.kind, user.unit.province_id)].append(user)

    @staticmethod
    def province(referral: _Due, today: date) -> str | None:
        """The receiving province, else the case's province as it is today (after mergers)."""
        if referral.to_province_id or referral.case.province is None:
            return referral.to_province_id
        return referral.case.province.as_of(today).code

    def for_level(self, referral: _Due, level: str) -> Iterable[User]:
        if level == EscalationLevel.PROVINCIAL_SUPERVISOR:
            return self.by_kind[(AgencyKind.STEERING_COMMITTEE, self.provinces[referral.pk])]
        if referral.to_unit_id:
            return self.by_unit[referral.to_unit_id]
        return self.by_kind[(referral.to_kind, referral.to_province_id)]
