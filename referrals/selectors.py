"""Reads of referrals: who may see which, inboxes and outboxes, consent status."""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from agencies.models import Role, User
from cases.models import Consent, ConsentStatus
from cases.selectors import visible_cases
from cases.visibility import SENSITIVE_SERVICE_KINDS
from config.errors import NotFound
from security.policy import need_to_know

from .models import OPEN_STATUSES, Referral


def visible_referrals(user: User) -> QuerySet[Referral]:
    """Referrals from or to the user's unit, addressed to its kind in its province, or of a
    case the user may see (so a Steering Committee supervisor sees their province's)."""
    if not user.is_active or user.unit_id is None or user.role == Role.ADMINISTRATOR:
        return Referral.objects.none()
    unit = user.unit
    scope = (
        Q(from_unit_id=unit.pk)
        | Q(to_unit_id=unit.pk)
        | Q(to_unit__isnull=True, to_kind=unit.kind, to_province_id=unit.province_id)
        | Q(case__in=visible_cases(user).values("pk"))
    )
    # Referrals for medical or psychological care are medical records: only the units
    # involved and those whose need-to-know includes them see that they exist.
    known = need_to_know(user.role, unit.kind)
    hidden = [kind for kind, group in SENSITIVE_SERVICE_KINDS.items() if group not in known]
    scope &= ~Q(purpose__in=hidden) | Q(from_unit_id=unit.pk) | Q(to_unit_id=unit.pk)
    return _with_consent_status(Referral.objects.filter(scope))


def _with_consent_status(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    latest = Consent.objects.filter(
        case_id=OuterRef("case_id"), recipient_kind=OuterRef("to_kind")
    ).order_by("-recorded_at", "-id")
    return referrals.select_related(
        "case", "from_unit", "to_unit", "rule", "sent_by", "accepted_by", "data_key"
    ).annotate(latest_consent_status=Subquery(latest.values("status")[:1]))


def referrals_in_box(user: User, box: str = "") -> QuerySet[Referral]:
    """`inbox`: addressed to the user's unit (or its kind and province); `outbox`: sent by it;
    anything else: every referral the user may see."""
    referrals = visible_referrals(user)
    if box == "outbox":
        return referrals.filter(from_unit_id=user.unit_id)
    if box == "inbox":
        unit = user.unit
        return referrals.filter(
            Q(to_unit_id=unit.pk)
            | Q(to_unit__isnull=True, to_kind=unit.kind, to_province_id=unit.province_id)
        )
    return referrals


def get_visible_referral(user: User, referral_id) -> Referral:
    """The referral if the user may know it exists; otherwise 404 (no existence leak)."""
    try:
        return visible_referrals(user).get(uuid=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such referral.")) from exc


def consent_withdrawn(referral: Referral) -> bool:
    """An open referral whose recipient kind the victim has since refused or withdrawn."""
    status = getattr(referral, "latest_consent_status", None)
    return referral.status in OPEN_STATUSES and status not in (None, ConsentStatus.GIVEN)
