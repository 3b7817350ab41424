"""Changes to placements: refer a victim to a provider; take and free its places.

A placement is a referral (referrals.services) to a provider's unit, so consent or a legal
basis, the deadline, need-to-know and the audit trail are the referral's. What this layer adds
is the place: follow_referral, connected to referrals.signals.referral_moved, takes one in the
transaction that accepts the referral and frees it in the one that completes or withdraws it.
A place is taken by one conditional UPDATE (`occupied < capacity`): of two acceptances of the
last place, PostgreSQL re-checks the condition for the one that waited for the other's row
lock, which then finds no place and is refused with the whole acceptance undone.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import User
from cases.models import Case, Consent
from cases.permissions import require_holder
from cases.services import service_eligibility
from cases.visibility import SENSITIVE_SERVICE_KINDS
from config.errors import Conflict, InvalidInput
from referrals.models import Referral
from referrals.services import send_referral
from rulebooks.models import LegalBasis, SupportServiceKind
from rulebooks.purposes import ReferralPurpose
from security.audit import record_event

from .models import Placement, Provider
from .selectors import Victim, hidden_needs, needs_for, takes


def refer_to_provider(
    actor: User,
    case: Case,
    provider: Provider,
    *,
    needs: list[str] | None = None,
    purpose: str = "",
    consent: Consent | None = None,
    legal_basis: LegalBasis | None = None,
    justification: str = "",
) -> Placement:
    """Chuyển giao đến cơ sở hỗ trợ: refer the victim to a provider for the needs it answers
    (the case's needs when none are given). The place is taken when the provider accepts."""
    require_holder(actor, case)
    answered = _answered_needs(actor, case, provider, needs)
    if not Provider.objects.filter(takes(Victim.of(case)), pk=provider.pk).exists():
        raise InvalidInput(
            _("This provider does not take this victim (a child, a woman or a man)."),
            "provider_not_suitable",
        )
    if provider.open_places == 0:
        raise Conflict(_("The provider has no open place left."), "provider_full")
    with transaction.atomic():
        referral = send_referral(
            actor,
            case,
            purpose=purpose or _purpose_for(answered),
            to_unit=provider.unit,
            consent=consent,
            legal_basis=legal_basis,
            justification=justification,
        )
        placement = Placement.objects.create(referral=referral, provider=provider, needs=answered)
        _audit("placement.request", actor, placement)
    return placement


def _answered_needs(
    actor: User, case: Case, provider: Provider, needs: list[str] | None
) -> list[str]:
    wanted = needs or needs_for(actor, case)
    if not wanted:
        raise InvalidInput(_("Name the needs the provider is to answer."), "no_needs")
    if set(wanted) & hidden_needs(actor):
        raise InvalidInput(_("Your unit may not refer for medical needs."), "needs_not_allowed")
    if set(wanted) - set(service_eligibility(case)):
        raise InvalidInput(
            _("The person is not entitled to this service at their current status."),
            "not_eligible",
        )
    answered = [need for need in SupportServiceKind.values if need in wanted]
    answered = [need for need in answered if need in provider.services]
    if not answered:
        raise InvalidInput(
            _("The provider offers none of the services needed."), "service_not_offered"
        )
    return answered


def _purpose_for(needs: list[str]) -> str:
    """A place in a shelter when essential needs are among them, else the first need."""
    if SupportServiceKind.ESSENTIAL_NEEDS in needs:
        return ReferralPurpose.SHELTER
    return needs[0]


def follow_referral(sender, *, referral: Referral, action: str, actor=None, **_kwargs) -> None:
    """Receiver of referrals.signals.referral_moved: a referral to a provider takes a place
    when accepted and frees it when completed or withdrawn."""
    if action == "accept":
        _take_place(referral, actor)
    elif action in ("complete", "withdraw"):
        _free_place(referral, actor)


def _take_place(referral: Referral, actor: User | None) -> None:
    provider = Provider.objects.filter(unit_id=referral.to_unit_id).first()
    if provider is None:
        return
    placement, _created = Placement.objects.get_or_create(
        referral=referral,
        defaults={"provider": provider, "needs": _needs_of_plain_referral(referral)},
    )
    open_place = Q(capacity__isnull=True) | Q(occupied__lt=F("capacity"))
    if not Provider.objects.filter(open_place, pk=provider.pk).update(occupied=F("occupied") + 1):
        raise Conflict(_("The provider has no open place left."), "provider_full")
    placement.place_taken_at = timezone.now()
    placement.save(update_fields=["place_taken_at"])
    _audit("placement.take_place", actor, placement)


def _needs_of_plain_referral(referral: Referral) -> list[str]:
    """A referral sent to a provider without this app: the need its purpose names, if any."""
    return [referral.purpose] if referral.purpose in SupportServiceKind.values else []


def _free_place(referral: Referral, actor: User | None) -> None:
    now = timezone.now()
    held = Placement.objects.filter(
        referral=referral, place_taken_at__isnull=False, place_freed_at__isnull=True
    )
    if not held.update(place_freed_at=now):
        return  # never accepted: no place was taken
    placement = Placement.objects.select_related("provider").get(referral=referral)
    Provider.objects.filter(pk=placement.provider_id, occupied__gt=0).update(
        occupied=F("occupied") - 1
    )
    _audit("placement.free_place", actor, placement)


def _audit(action: str, actor: User | None, placement: Placement) -> None:
    provider = Provider.objects.get(pk=placement.provider_id)
    record_event(
        action,
        actor=actor,
        case=placement.referral.case,
        obj=placement,
        details={
            "referral": str(placement.referral.uuid),
            "provider": provider.unit.code,
            # Medical needs are need-to-know (cases.visibility); the ledger is read more widely.
            "needs": [need for need in placement.needs if need not in SENSITIVE_SERVICE_KINDS],
            "medical_needs": sum(need in SENSITIVE_SERVICE_KINDS for need in placement.needs),
            "capacity": provider.capacity,
            "occupied": provider.occupied,
        },
    )
