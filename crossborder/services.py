"""Writes of cross-border cooperation: a request to or from a counterpart and its answer, the
handover at a border gate, and the sweep that escalates answers not given in time.

Each service checks who may act, changes everything in one transaction, audits it and puts
its notifications in the outbox in the same transaction.
"""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, UnitLevel, User
from cases.models import Case, ClosureReason, PersonRole
from cases.permissions import require_holder
from cases.services.records import bump_version
from cases.services.transitions import transition_case
from config.errors import Conflict, InvalidInput, NotAllowed
from documents.models import Document
from notifications.outbox import enqueue
from places.models import VIETNAM_TZ
from rulebooks.services import may_change_rules
from security.audit import record_event

from .models import (
    OUTCOMES_BY_KIND,
    AgreementTerm,
    BorderGate,
    BorderHandover,
    Counterpart,
    CrossBorderRequest,
    EscalationLevel,
    HandoverDirection,
    Outcome,
    RequestEscalation,
    RequestKind,
    RequestStatus,
)


def _moment(at: datetime | None, not_before: datetime) -> datetime:
    """When something happened: now when not given, never in the future, never before the
    step it follows."""
    now = timezone.now()
    at = at or now
    if at > now:
        raise InvalidInput(_("A step cannot be dated in the future."), "future_date")
    if at < not_before:
        raise InvalidInput(
            _("This step cannot be dated before the step it follows."), "date_too_early"
        )
    return at


def reply_term(counterpart: Counterpart, kind: str) -> AgreementTerm:
    """The reply limit the counterpart's agreement sets for this kind of request."""
    term = AgreementTerm.objects.filter(agreement_id=counterpart.agreement_id, request_kind=kind)
    if not (found := term.first()):
        raise InvalidInput(
            _("The agreement with this counterpart sets no reply limit for this request."),
            "no_reply_limit",
        )
    return found


# --- requests -------------------------------------------------------------------------------


def send_request(
    actor: User,
    case: Case,
    *,
    counterpart: Counterpart,
    kind: str,
    direction: str,
    channel: str,
    reference: str = "",
    sent_at: datetime | None = None,
) -> CrossBorderRequest:
    """Record a request sent to a counterpart, or received from one, with the answer due by
    the limit of their agreement; a repatriation is brought to Foreign Affairs."""
    require_holder(actor, case)
    term = reply_term(counterpart, kind)
    sent_at = _moment(sent_at, case.received_at)
    with transaction.atomic():
        request = CrossBorderRequest.objects.create(
            case=case,
            counterpart=counterpart,
            term=term,
            kind=kind,
            direction=direction,
            channel=channel,
            reference=reference,
            unit=actor.unit,
            sent_at=sent_at,
            due_at=sent_at + term.reply_within,
            recorded_by=actor,
        )
        bump_version(case)
        if kind == RequestKind.REPATRIATION:
            _tell_foreign_affairs(request)
        _audit("crossborder.request", actor, request, term=term.pk)
    return request


def answer_request(
    actor: User,
    request: CrossBorderRequest,
    *,
    outcome: str,
    answered_at: datetime | None = None,
    handover_due_at: datetime | None = None,
) -> CrossBorderRequest:
    """Record the answer to a request (theirs to ours, or ours to theirs), once."""
    require_holder(actor, request.case)
    if outcome not in OUTCOMES_BY_KIND[request.kind]:
        raise InvalidInput(_("This answer does not fit this kind of request."), "wrong_outcome")
    agreed_return = request.kind == RequestKind.REPATRIATION and outcome == Outcome.AGREED
    if agreed_return != (handover_due_at is not None):
        raise InvalidInput(
            _("An agreed repatriation, and only it, gives the date agreed for the handover."),
            "handover_date",
        )
    with transaction.atomic():
        request = CrossBorderRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.OPEN:
            raise Conflict(_("This request has already been answered."), "already_answered")
        request.answered_at = _moment(answered_at, request.sent_at)
        if handover_due_at is not None and handover_due_at < request.answered_at:
            raise InvalidInput(_("The agreed handover cannot precede the answer."), "handover_date")
        request.status, request.outcome = RequestStatus.ANSWERED, outcome
        request.answered_by, request.handover_due_at = actor, handover_due_at
        request.save()
        bump_version(request.case)
        _audit("crossborder.answer", actor, request, outcome=outcome)
    return request


def _audit(action: str, actor: User, request: CrossBorderRequest, **extra) -> None:
    record_event(
        action,
        actor=actor,
        case=request.case,
        obj=request,
        details={
            "kind": request.kind,
            "direction": request.direction,
            "counterpart": request.counterpart_id,
            "due_at": request.due_at,
            **extra,
        },
    )


def foreign_affairs(case: Case) -> QuerySet[User]:
    """Foreign Affairs caseworkers and supervisors, national and of the case's province."""
    return User.objects.filter(
        Q(unit__level=UnitLevel.CENTRAL) | Q(unit__province_id=case.province_id),
        is_active=True,
        unit__kind=AgencyKind.FOREIGN_AFFAIRS,
        role__in=[Role.CASEWORKER, Role.SUPERVISOR],
    )


def _tell_foreign_affairs(request: CrossBorderRequest) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        enqueue(
            f"crossborder-repatriation:{request.pk}",
            foreign_affairs(request.case),
            _("Repatriation under an agreement: case %(case)s") % {"case": request.case.number},
            _("%(unit)s has recorded a repatriation request with %(counterpart)s.")
            % {"unit": request.unit.name, "counterpart": request.counterpart.name},
        )


# --- handover at the border -----------------------------------------------------------------


def record_handover(
    actor: User,
    case: Case,
    *,
    direction: str,
    gate: BorderGate,
    minutes_reference: str,
    documents: list[UUID],
    counterpart: Counterpart | None = None,
    request: CrossBorderRequest | None = None,
    handed_at: datetime | None = None,
) -> BorderHandover:
    """Bàn giao tại cửa khẩu, with its minutes and documents. Received into Viet Nam by the
    actor's unit, it starts the rulebook's reception deadlines (crossborder.selectors);
    handed to the counterpart after an agreed repatriation, it closes the case as
    transferred abroad."""
    require_holder(actor, case)
    outbound = direction == HandoverDirection.TO_COUNTERPART
    if outbound:
        counterpart = _agreed_repatriation(case, request).counterpart
    elif counterpart is None:
        raise InvalidInput(_("Name the counterpart who handed the person over."), "counterpart")
    if gate.partner_country != counterpart.country:
        raise InvalidInput(_("This border gate does not face the counterpart."), "wrong_gate")
    with transaction.atomic():
        handover = BorderHandover.objects.create(
            case=case,
            direction=direction,
            gate=gate,
            counterpart=counterpart,
            request=request if outbound else None,
            handed_at=_moment(handed_at, request.answered_at if outbound else case.received_at),
            receiving_unit=None if outbound else actor.unit,
            minutes_reference=minutes_reference,
            unit=actor.unit,
            recorded_by=actor,
        )
        handover.documents.set(_case_documents(case, documents))
        bump_version(case)
        record_event(
            "crossborder.handover",
            actor=actor,
            case=case,
            obj=handover,
            details={
                "direction": direction,
                "gate": gate.code,
                "counterpart": counterpart.code,
                "documents": sorted(str(d) for d in documents),
            },
        )
        if outbound:
            transition_case(actor, case, "close", closure_reason=ClosureReason.TRANSFERRED_ABROAD)
    return handover


def _agreed_repatriation(case: Case, request: CrossBorderRequest | None) -> CrossBorderRequest:
    """The counterpart agreed to take back its national: only then is the person handed over."""
    agreed = (
        request is not None
        and request.case_id == case.pk
        and request.kind == RequestKind.REPATRIATION
        and request.outcome == Outcome.AGREED
    )
    if not agreed:
        raise InvalidInput(
            _("A handover abroad needs a repatriation of this case agreed by the counterpart."),
            "no_agreed_repatriation",
        )
    victim = case.people.filter(role=PersonRole.VICTIM).first()
    if victim is None or victim.nationality != request.counterpart.country:
        raise InvalidInput(
            _("Only a national of the counterpart's country is repatriated there."),
            "not_a_national",
        )
    return request


def _case_documents(case: Case, ids: list[UUID]) -> list[Document]:
    if not ids:
        raise InvalidInput(_("List the documents handed over with the person."), "documents")
    found = list(case.documents.filter(uuid__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput(_("A document is not one of this case's."), "unknown_document")
    return found


# --- deadlines and escalation ---------------------------------------------------------------


def due_requests(now: datetime) -> QuerySet[CrossBorderRequest]:
    """Open requests past their reply limit and not yet marked: what the partial index covers."""
    return CrossBorderRequest.objects.filter(
        status=RequestStatus.OPEN, overdue_at__isnull=True, due_at__lte=now
    ).order_by("due_at")


def sweep_overdue_requests(now: datetime | None = None, batch_size: int = 500) -> int:
    """Mark requests not answered in time and escalate each, once, to the Vietnamese unit's
    supervisors, the provincial Steering Committee and Foreign Affairs. Returns how many."""
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic():
            batch = list(
                due_requests(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "unit", "counterpart")[:batch_size]
            )
            if not batch:
                return marked
            CrossBorderRequest.objects.filter(pk__in=[r.pk for r in batch]).update(overdue_at=now)
            RequestEscalation.objects.bulk_create(
                [
                    RequestEscalation(request=r, level=level, created_at=now)
                    for r in batch
                    for level in EscalationLevel.values
                ],
                ignore_conflicts=True,
            )
            _notify_late(batch)
            record_event(
                "crossborder.overdue",
                details={"requests": [str(r.uuid) for r in batch], "at": now},
            )
        marked += len(batch)


def recipients(request: CrossBorderRequest, level: str) -> Iterable[User]:
    if level == EscalationLevel.FOREIGN_AFFAIRS:
        return foreign_affairs(request.case)
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR)
    if level == EscalationLevel.UNIT_SUPERVISOR:
        return supervisors.filter(unit_id=request.unit_id)
    return supervisors.filter(
        unit__kind=AgencyKind.STEERING_COMMITTEE, unit__province_id=request.unit.province_id
    )


def _notify_late(requests: list[CrossBorderRequest]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        for request in requests:
            due = formats.date_format(
                request.due_at.astimezone(VIETNAM_TZ), "SHORT_DATETIME_FORMAT"
            )
            for level in EscalationLevel.values:
                enqueue(
                    f"crossborder-escalation:{request.pk}:{level}",
                    recipients(request, level),
                    _("Late answer from across the border: case %(case)s")
                    % {"case": request.case.number},
                    _(
                        "The answer to a request (%(kind)s) with %(counterpart)s was due by "
                        "%(due)s and has not been recorded."
                    )
                    % {
                        "kind": request.get_kind_display(),
                        "counterpart": request.counterpart.name,
                        "due": due,
                    },
                )


# --- configuration --------------------------------------------------------------------------


def change_reply_limit(actor: User, term: AgreementTerm, reply_within) -> AgreementTerm:
    """Change a configurable default reply limit (never one the agreement sets), audited.
    Requests already sent keep the deadline they were given."""
    if not may_change_rules(actor):
        raise NotAllowed(_("Only administrators change reply limits."))
    if not term.is_default:
        raise Conflict(_("This limit is set by the agreement; it is not configurable."))
    with transaction.atomic():
        before = AgreementTerm.objects.select_for_update().get(pk=term.pk).reply_within
        AgreementTerm.objects.filter(pk=term.pk).update(reply_within=reply_within)
        record_event(
            "crossborder.reply_limit",
            actor=actor,
            obj=term,
            details={"from": str(before), "to": str(reply_within), "kind": term.request_kind},
        )
    term.refresh_from_db()
    return term
