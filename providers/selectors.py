"""Reads of providers: a victim's needs, the providers that match them, occupancy.

Matching (Plan 19/KH-BCĐ138/CP: referral "based on needs and on the providers' capacity"):
a provider is a candidate when it is active, has an open place, takes the victim (a child,
a woman or a man) and offers at least one of the needs. Candidates are ranked by fit first
(how many needs they answer, then whether they speak the victim's language) and then by the
distance between the seats of the victim's province and the provider's (places.Province).
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role, User
from cases.models import AgeGroup, Case, Person, PersonRole, ServiceStatus, Sex
from cases.services import service_eligibility
from cases.visibility import SENSITIVE_SERVICE_KINDS
from config.errors import InvalidInput, NotAllowed
from places.models import VIETNAM_TZ, Province
from places.selectors import seat_distance_km
from referrals.selectors import visible_referrals
from rulebooks.models import SupportServiceKind
from security.policy import need_to_know

from .models import Placement, Provider, ScreeningNeed

MINOR_AGE_GROUPS = frozenset({AgeGroup.UNDER_16, AgeGroup.AGE_16_17})


@dataclass(frozen=True)
class Victim:
    """What matching needs to know of the victim: nothing that identifies them."""

    is_minor: bool
    sex: str
    language: str
    province: Province | None  # where the case is, as the province is today

    @classmethod
    def of(cls, case: Case) -> "Victim":
        person = case.people.filter(role=PersonRole.VICTIM).order_by("pk").first() or Person()
        today = timezone.localdate(timezone=VIETNAM_TZ)
        return cls(
            is_minor=case.presumed_minor or person.age_group in MINOR_AGE_GROUPS,
            sex=person.sex,
            language=person.language.strip().casefold(),
            province=case.province.as_of(today) if case.province_id else None,
        )


def in_law_order(services: set[str]) -> list[str]:
    return [kind for kind in SupportServiceKind.values if kind in services]


def needs_for(user: User, case: Case, wanted: set[str] | None = None) -> list[str]:
    """The needs to match, in the law's order: those given, or else the case's (services
    requested and not yet given, interpretation when an interpreter is needed, what the
    latest screening's indicators suggest: ScreeningNeed); only those the victim is entitled
    to at their status (the rulebook's eligibility) and within the user's need-to-know."""
    needs = set(wanted) if wanted else _case_needs(case)
    return in_law_order(needs & set(service_eligibility(case)) - hidden_needs(user))


def _case_needs(case: Case) -> set[str]:
    needs = set(case.services.filter(status=ServiceStatus.REQUESTED).values_list("kind", flat=True))
    if case.people.filter(role=PersonRole.VICTIM, interpreter_needed=True).exists():
        needs.add(SupportServiceKind.INTERPRETATION)
    screening = case.screenings.order_by("-screened_at", "-pk").first()
    if screening is not None:
        suggested = ScreeningNeed.objects.filter(indicator__in=screening.indicators)
        needs.update(suggested.values_list("service", flat=True))
    return needs


def hidden_needs(user: User) -> set[str]:
    """Needs that are medical records outside the user's need-to-know."""
    known = need_to_know(user.role, user.agency_kind)
    return {kind for kind, group in SENSITIVE_SERVICE_KINDS.items() if group not in known}


def with_open_places(providers: QuerySet[Provider]) -> QuerySet[Provider]:
    return providers.filter(Q(capacity__isnull=True) | Q(occupied__lt=F("capacity")))


def takes(victim: Victim) -> Q:
    """Providers that take this victim: children only where children are taken, and by sex."""
    condition = Q(takes_children=True) if victim.is_minor else Q()
    if victim.sex == Sex.FEMALE:
        condition &= Q(takes_women=True)
    elif victim.sex == Sex.MALE:
        condition &= Q(takes_men=True)
    return condition


def active_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(unit__is_active=True).select_related(
        "unit__province__merged_into"
    )


def get_active_provider(code: str) -> Provider:
    """The active provider whose unit has this code; 400 for any other (they are public)."""
    try:
        return active_providers().get(unit__code=code)
    except Provider.DoesNotExist:
        raise InvalidInput(_("Unknown provider."), "unknown_provider") from None


@dataclass(frozen=True)
class Match:
    """A provider suggested for a victim, and why it ranks where it does."""

    provider: Provider
    covers: list[str]
    missing: list[str]
    speaks_language: bool
    distance_km: float | None

    def rank(self) -> tuple:
        far = self.distance_km is None
        return (-len(self.covers), not self.speaks_language, far, self.distance_km or 0.0)


def match_providers(victim: Victim, needs: list[str]) -> list[Match]:
    """Providers with an open place that take the victim and answer a need, best first."""
    today = timezone.localdate(timezone=VIETNAM_TZ)
    matches = []
    for provider in with_open_places(active_providers().filter(takes(victim))):
        covers = [need for need in needs if need in provider.services]
        if not covers:
            continue
        province = provider.unit.province
        distance = (
            seat_distance_km(victim.province, province.as_of(today))
            if victim.province and province
            else None
        )
        languages = {language.strip().casefold() for language in provider.languages}
        matches.append(
            Match(
                provider=provider,
                covers=covers,
                missing=[need for need in needs if need not in covers],
                speaks_language=bool(victim.language) and victim.language in languages,
                distance_km=None if distance is None else round(distance, 1),
            )
        )
    return sorted(matches, key=Match.rank)


def visible_placements(user: User) -> QuerySet[Placement]:
    """Placements from or to the user's unit (a provider's staff see only those sent to
    them); a supervisor also those of the referrals they may see."""
    if not user.is_active or user.unit_id is None or user.role == Role.ADMINISTRATOR:
        return Placement.objects.none()
    scope = Q(referral__to_unit_id=user.unit_id) | Q(referral__from_unit_id=user.unit_id)
    if user.role == Role.SUPERVISOR:
        scope |= Q(referral__in=visible_referrals(user).values("pk"))
    return Placement.objects.filter(scope).select_related(
        "referral__case", "provider__unit__province"
    )


@dataclass(frozen=True)
class ProvinceOccupancy:
    province: Province
    providers: int
    places: int
    taken: int
    unlimited_providers: int

    @property
    def open_places(self) -> int:
        return self.places - self.taken


def occupancy_by_province(user: User) -> list[ProvinceOccupancy]:
    """Places and places taken per province, for supervisors (counts, no victim data)."""
    if user.role != Role.SUPERVISOR:
        raise NotAllowed(_("Only supervisors see the providers' occupancy."))
    limited = Q(capacity__isnull=False)
    rows = (
        active_providers()
        .values("unit__province")
        .annotate(
            providers=Count("pk"),
            places=Sum("capacity", filter=limited, default=0),
            taken=Sum("occupied", filter=limited, default=0),
            unlimited=Count("pk", filter=~limited),
        )
        .order_by("unit__province")
    )
    provinces = Province.objects.in_bulk([row["unit__province"] for row in rows])
    return [
        ProvinceOccupancy(
            province=provinces[row["unit__province"]],
            providers=row["providers"],
            places=row["places"],
            taken=row["taken"],
            unlimited_providers=row["unlimited"],
        )
        for row in rows
        if row["unit__province"] is not None
    ]
