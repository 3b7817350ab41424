"""Reads of the criminal track: what a user may see of tips and criminal cases."""

from django.db.models import BooleanField, Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, User
from config.errors import NotFound

from .lifecycle import OPEN_TIP_STATES
from .models import CriminalCase, Tip
from .permissions import is_track_caseworker


def visible_tips(user: User) -> QuerySet[Tip]:
    """Tips the user's unit received (or, for the Procuracy, those of its province) and, for
    the person who recorded a tip elsewhere (a hotline operator), the tips they recorded."""
    if not user.is_active or user.unit_id is None:
        return Tip.objects.none()
    if user.role == Role.HOTLINE_OPERATOR:
        return Tip.objects.filter(created_by=user)
    if user.role != Role.CASEWORKER:
        return Tip.objects.none()
    scope = Q(unit_id=user.unit_id) | Q(created_by=user)
    if user.unit.kind == AgencyKind.PROCURACY and user.unit.province_id:
        scope |= Q(unit__province_id=user.unit.province_id)
    return Tip.objects.filter(scope)


def visible_criminal_cases(user: User) -> QuerySet[CriminalCase]:
    """Criminal cases whose investigating unit, Procuracy or Court is the user's unit."""
    if not is_track_caseworker(user):
        return CriminalCase.objects.none()
    unit = user.unit_id
    return CriminalCase.objects.filter(
        Q(investigating_unit_id=unit) | Q(procuracy_unit_id=unit) | Q(court_unit_id=unit)
    )


def get_visible_tip(user: User, tip_id) -> Tip:
    try:
        return visible_tips(user).select_related("unit", "limit_rule").get(uuid=tip_id)
    except (Tip.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such tip.")) from exc


def get_visible_criminal_case(user: User, case_id) -> CriminalCase:
    try:
        return visible_criminal_cases(user).get(uuid=case_id)
    except (CriminalCase.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such criminal case.")) from exc


def tips_by_urgency(user: User) -> QuerySet[Tip]:
    """The user's tips, those still to resolve first, the soonest due (so the overdue) first;
    each marked `overdue` when it is still to resolve and its limit has passed."""
    still_open = Case(
        When(state__in=OPEN_TIP_STATES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    overdue = Case(
        When(state__in=OPEN_TIP_STATES, due_at__lt=Now(), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        visible_tips(user)
        .select_related("unit")
        .annotate(still_open=still_open, overdue=overdue)
        .order_by("still_open", F("due_at").asc(nulls_last=True), "-reported_at", "-id")
    )
