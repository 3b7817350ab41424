"""Reads of cross-border cooperation: who may see a case's requests and handovers (the units
holding the case, and Foreign Affairs), and their steps for the case timeline, each with its
deadline, its source and whether it was met."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, User
from cases.models import Case, CaseHolding
from cases.selectors import get_visible_case, sighted_holding
from config.errors import NotFound
from rulebooks.models import StepCode
from rulebooks.selectors import deadline_for

from .models import BorderHandover, Counterpart, CrossBorderRequest, HandoverDirection

# A person received into Viet Nam at the border starts these steps of the case's rulebook:
# brought to the commune, social protection notified, initial reception and verification.
RECEPTION_STEPS = (
    StepCode.BRING_TO_COMMUNE,
    StepCode.NOTIFY_SOCIAL_PROTECTION,
    StepCode.INITIAL_RECEPTION_VERIFICATION,
)


def _is_foreign_affairs(user: User) -> bool:
    return (
        user.is_active
        and user.unit_id is not None
        and user.unit.kind == AgencyKind.FOREIGN_AFFAIRS
        and user.role in (Role.CASEWORKER, Role.SUPERVISOR)
    )


def visible_requests(user: User) -> QuerySet[CrossBorderRequest]:
    """Requests of the cases the user's unit holds or held (with sight left); all of them for
    Foreign Affairs, the channel of every repatriation."""
    requests = CrossBorderRequest.objects.select_related(
        "case", "counterpart", "term__agreement", "unit", "recorded_by", "answered_by"
    )
    if _is_foreign_affairs(user):
        return requests
    if user.unit_id is None or user.role not in (Role.CASEWORKER, Role.HOTLINE_OPERATOR):
        return requests.none()
    held = CaseHolding.objects.filter(CaseHolding.sighted(), unit_id=user.unit_id)
    return requests.filter(case_id__in=held.values("case_id"))


def visible_handovers(user: User) -> QuerySet[BorderHandover]:
    """Handovers of the cases whose requests the user may see (visible_requests)."""
    handovers = BorderHandover.objects.select_related(
        "case", "gate", "counterpart", "request", "receiving_unit", "unit", "recorded_by"
    ).prefetch_related("documents")
    if _is_foreign_affairs(user):
        return handovers
    if user.unit_id is None or user.role not in (Role.CASEWORKER, Role.HOTLINE_OPERATOR):
        return handovers.none()
    held = CaseHolding.objects.filter(CaseHolding.sighted(), unit_id=user.unit_id)
    return handovers.filter(case_id__in=held.values("case_id"))


def get_visible_request(user: User, request_id) -> CrossBorderRequest:
    try:
        return visible_requests(user).get(uuid=request_id)
    except (CrossBorderRequest.DoesNotExist, ValueError) as exc:
        raise NotFound(_("No such cross-border request.")) from exc


def get_cooperation_case(user: User, case_id) -> Case:
    """The case, for a holder; for Foreign Affairs, any case with cross-border steps."""
    if _is_foreign_affairs(user):
        crossing = Q(crossborder_requests__isnull=False) | Q(handovers__isnull=False)
        found = Case.objects.filter(crossing, uuid=case_id).distinct().first()
        if found is not None:
            return found
    case = get_visible_case(user, case_id)
    if sighted_holding(user, case) is None:
        raise NotFound(_("No such case."))
    return case


# --- the timeline ---------------------------------------------------------------------------


def _met(at: datetime | None, due_at: datetime | None, now: datetime) -> bool | None:
    if due_at is None:
        return None
    if at is None:
        return False if now > due_at else None
    return at <= due_at


def _step(at, kind: str, what: str, unit, user, **extra) -> dict:
    return {
        "at": at,
        "kind": kind,
        "what": what,
        "unit": unit.code if unit else None,
        "user": user.username if user else None,
        **extra,
    }


def counterpart_names() -> dict[str, str]:
    """Each foreign counterpart's name by its code (a short table)."""
    return dict(Counterpart.objects.values_list("code", "name"))


def crossborder_events(case: Case) -> list[dict]:
    """Every request, answer, escalation and handover of the case, with its deadline."""
    now = timezone.now()
    events = []
    requests = case.crossborder_requests.select_related(
        "unit", "recorded_by", "answered_by", "term", "counterpart"
    ).prefetch_related("escalations")
    for request in requests:
        events += _request_events(request, now)
    handovers = case.handovers.select_related(
        "gate", "counterpart", "request", "receiving_unit", "unit", "recorded_by"
    ).prefetch_related("documents")
    for handover in handovers:
        events += _handover_events(case, handover, now)
    return events


def _request_events(request: CrossBorderRequest, now: datetime) -> list[dict]:
    base = {
        "request": str(request.uuid),
        "direction": request.direction,
        "channel": request.channel,
        "counterpart": request.counterpart_id,
        "due_at": request.due_at,
        "citation": request.term.citation,
        "rule_is_default": request.term.is_default,
    }
    events = [
        base
        | _step(
            request.sent_at,
            "crossborder_request",
            request.kind,
            request.unit,
            request.recorded_by,
            met=_met(request.answered_at, request.due_at, now),
        )
    ]
    if request.answered_at:
        events.append(
            base
            | _step(
                request.answered_at,
                "crossborder_answer",
                f"{request.kind}:{request.outcome}",
                request.unit,
                request.answered_by,
                met=request.answered_at <= request.due_at,
            )
        )
    events += [
        base | _step(e.created_at, "crossborder_escalation", e.level, request.unit, None, met=False)
        for e in request.escalations.all()
    ]
    return events


def _handover_events(case: Case, handover: BorderHandover, now: datetime) -> list[dict]:
    """The handover; handed abroad, against the date agreed with the counterpart; received
    into Viet Nam, with the reception deadlines it starts."""
    agreed_by = handover.request.handover_due_at if handover.request else None
    event = _step(
        handover.handed_at,
        "border_handover",
        handover.direction,
        handover.unit,
        handover.recorded_by,
        gate=handover.gate.name,
        counterpart=handover.counterpart_id,
        receiving_unit=handover.receiving_unit.code if handover.receiving_unit else None,
        minutes_reference=handover.minutes_reference,
        documents=[str(d.uuid) for d in handover.documents.all()],
        due_at=agreed_by,
        met=_met(handover.handed_at, agreed_by, now),
    )
    if handover.direction != HandoverDirection.TO_VIET_NAM:
        return [event]
    return [event] + [_reception_deadline(case, handover, step) for step in RECEPTION_STEPS]


def _reception_deadline(case: Case, handover: BorderHandover, step: str) -> dict:
    due_at, rule = deadline_for(case.rulebook, step, handover.handed_at)
    return _step(
        due_at,
        "deadline",
        step,
        handover.receiving_unit,
        None,
        citation=rule.citation,
        rule_is_default=rule.is_default,
        due_at=due_at,
        met=None,  # each step is done outside this app; the deadline is shown, not judged
    )
