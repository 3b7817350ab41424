"""Reads of cases: what a user may see, duplicates, the timeline."""

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, Unit, User
from config.errors import NotFound
from places.models import Province
from security.blind_index import id_number_index, name_birth_year_index, phone_index

from .inputs import IntakeData
from .models import Case, CaseHolding, Consent, Intake, Person


def _supervised_provinces(user: User) -> list[str] | None:
    """Provinces a Steering Committee supervisor oversees; None means every province."""
    unit = user.unit
    if unit.kind != AgencyKind.STEERING_COMMITTEE:
        return []
    if unit.province_id is None:
        return None
    # The merged provinces by their key alone: loading the unit's province row first cost
    # every supervisor's read a query (issue 15).
    merged = Province.objects.filter(merged_into_id=unit.province_id).order_by()
    return [unit.province_id, *merged.values_list("code", flat=True)]


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases the user's unit holds or held; a supervisor also sees their province's cases;
    a hotline operator only the intakes they took themselves."""
    return Case.objects.filter(case_scope(user))


def case_scope(user: User, case: str = "") -> Q:
    """The condition under which the user may see a case, on Case itself (`case=""`) or on a
    model that points to one (`case="case__"`): EXISTS over the unit's holdings (served by
    their (unit, case) index) and IN over small sets, never a join that needs DISTINCT, so
    a page of a large list and its count stay index-served."""
    nothing = Q(**{f"{case}pk__in": []})
    if not user.is_active or user.unit_id is None or user.role == Role.ADMINISTRATOR:
        return nothing
    taken = Exists(Intake.objects.filter(case_id=OuterRef(f"{case}pk"), received_by=user))
    if user.role == Role.HOTLINE_OPERATOR:
        return Q(taken) & _operator_holding(user, case)
    if user.role == Role.INTEGRATION:  # the cases of the intakes it filed (status only)
        return Q(taken)
    holdings = CaseHolding.objects.filter(CaseHolding.sighted(), unit_id=user.unit_id)
    scope = Q(Exists(holdings.filter(case_id=OuterRef(f"{case}pk"))))
    if user.role == Role.SUPERVISOR:
        provinces = _supervised_provinces(user)
        if provinces is None:
            return Q(**{f"{case}pk__isnull": False})
        if provinces:
            led_there = Unit.objects.filter(province_id__in=provinces).values("pk")
            scope |= Q(**{f"{case}province_id__in": provinces}) | Q(
                **{f"{case}lead_unit_id__in": led_there}
            )
    return scope


def with_lead_unit_code(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases annotated with their lead unit's code (`lead_unit_code`) as a scalar subquery,
    not a join: a join stays in the list's capped count (values("pk")) and turned its
    index-served semi-join into hash joins over the whole table (issue 15)."""
    code = Unit.objects.filter(pk=OuterRef("lead_unit_id")).order_by().values("code")[:1]
    return cases.annotate(lead_unit_code=Subquery(code))


def _operator_holding(user: User, case: str) -> Q:
    """The operator's unit holds the case, or handed it over only a short while ago
    (settings.LOIVE_OPERATOR_SIGHT_AFTER_HANDOVER), so that a call back can be answered."""
    since = timezone.now() - settings.LOIVE_OPERATOR_SIGHT_AFTER_HANDOVER
    held = CaseHolding.objects.filter(CaseHolding.sighted(), unit_id=user.unit_id).filter(
        Q(until__isnull=True) | Q(until__gte=since)
    )
    return Q(Exists(held.filter(case_id=OuterRef(f"{case}pk"))))


def get_visible_case(user: User, case_id, *, for_update: bool = False) -> Case:
    """The case if the user may know it exists; otherwise 404 (no existence leak)."""
    try:
        # The data key too: what the user may see of the case starts with whether it was erased.
        queryset = visible_cases(user).select_related("lead_unit", "province", "data_key")
        if for_update:
            queryset = queryset.select_for_update(of=("self",))
        return queryset.get(uuid=case_id)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such case.")) from exc


def get_case_consent(case: Case, consent_id: int) -> Consent:
    """A consent recorded on this case; 404 for any other id, whether it exists or not."""
    consent = case.consents.filter(pk=consent_id).first()
    if consent is None:
        raise NotFound(_("No such consent on this case."))
    return consent


def active_holding(user: User, case: Case) -> CaseHolding | None:
    if user.unit_id is None:
        return None
    return case.holdings.filter(unit_id=user.unit_id, until__isnull=True).first()


def sighted_holding(user: User, case: Case) -> CaseHolding | None:
    """The user's unit's hold on the case that lets it see the most: the current one, else
    an ended one that still leaves it sight (CaseHolding.sighted); None when it has none."""
    if user.unit_id is None:
        return None
    holdings = case.holdings.filter(CaseHolding.sighted(), unit_id=user.unit_id)
    return holdings.order_by(F("until").desc(nulls_first=True), "-id").first()


def possible_duplicates(
    user: User,
    *,
    phones: list[str] = (),
    id_number: str = "",
    name: str = "",
    birth_year: str | int | None = None,
) -> list[Case]:
    """Open cases the user may know exist that share a phone, ID number or name + birth year."""
    indexes = Q()
    for value in phones:
        if digest := phone_index(value):
            indexes |= Q(phone_index=digest)
    if digest := id_number_index(id_number):
        indexes |= Q(id_number_index=digest)
    if name and birth_year and (digest := name_birth_year_index(name, birth_year)):
        indexes |= Q(name_year_index=digest)
    if not indexes:
        return []
    matching = Person.objects.filter(indexes).values("case_id")
    return list(
        visible_cases(user).filter(pk__in=matching).exclude(state="closed").order_by("received_at")
    )


def duplicates_of_intake(user: User, data: IntakeData) -> list[Case]:
    """Open cases the user may see that share the victim's or the caller's phone, the
    victim's ID number, or the victim's name and birth year."""
    return possible_duplicates(
        user,
        phones=[p.phone for p in (data.victim, data.reporter) if p and p.phone],
        id_number=data.victim.id_number,
        name=data.victim.full_name,
        birth_year=data.victim.birth_year,
    )


def search_cases(user: User, query: str, *, limit: int = 50) -> list[Case]:
    """Cases the user may see whose number is the query, or whose people have it as phone or
    ID number (through the blind indexes: the values are never searched in clear)."""
    query = query.strip()
    if not query:
        return []
    people = Q()
    if digest := phone_index(query):
        people |= Q(phone_index=digest)
    if digest := id_number_index(query):
        people |= Q(id_number_index=digest)
    match = Q(number__iexact=query)
    if people:
        match |= Q(pk__in=Person.objects.filter(people).values("case_id"))
    return list(
        visible_cases(user)
        .filter(match)
        .select_related("lead_unit")
        .order_by("-received_at")[:limit]
    )
