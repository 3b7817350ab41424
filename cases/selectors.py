"""Reads of cases: what a user may see, duplicates, the timeline."""

from functools import partial

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role, Unit, User
from config.errors import NotFound
from config.sql import (
    OPAQUE_PARAMETER,
    CachedCondition,
    CompiledRead,
    Constant,
    Slot,
    columns_of,
    instance_of,
)
from places.models import Province
from security.blind_index import id_number_index, name_birth_year_index, phone_index
from security.models import DataKey

from .inputs import IntakeData
from .models import SIGHTED_ENDINGS, Case, CaseHolding, CaseState, Consent, Intake, Person


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases the user's unit holds or held; a supervisor also sees their province's cases;
    a hotline operator only the intakes they took themselves."""
    return Case.objects.filter(case_scope(user))


def case_scope(user: User, case: str = "", *, each_row: bool = False) -> Q:
    """The condition under which the user may see a case, on Case itself (`case=""`) or on a
    model that points to one (`case="case__"`): EXISTS over the unit's holdings (served by
    their (unit, case) index) and IN over small sets, never a join that needs DISTINCT, so
    a page of a large list and its count stay index-served. Its SQL is written once per
    database and role (config.sql.CachedCondition); only the user's values change.

    `each_row`: tested on each row the rest of the query finds, never the first thing read
    (`_exists`), for a query that finds a handful of cases by other means (possible_duplicates)."""
    scope = _scope_kind(user)
    if scope is None:
        return Q(**{f"{case}pk__in": []})
    if scope == "national":
        return Q(**{f"{case}pk__isnull": False})
    columns = {"pk": f"{case}pk"}
    if scope == "operator":
        since = timezone.now() - settings.LOIVE_OPERATOR_SIGHT_AFTER_HANDOVER
        params = [user.pk, user.unit_id, since]
        return _scope_of(scope, columns, params, each_row)
    if scope == "integration":  # the cases of the intakes it filed (status only)
        return _scope_of(scope, columns, [user.pk], each_row)
    params = [user.unit_id]
    if scope == "unit":
        return _scope_of(scope, columns, params, each_row)
    columns |= {"province": f"{case}province_id", "lead_unit": f"{case}lead_unit_id"}
    params += [user.unit.province_id, user.unit.province_id] * 2
    return _scope_of(scope, columns, params, each_row)


def _scope_kind(user: User) -> str | None:
    """Which of case_scope's conditions is the user's: "unit" (what their unit holds or
    held, with sight left), "supervisor" (that and their province's cases), "national" (every
    case), "operator", "integration", or None (no case at all)."""
    if not user.is_active or user.unit_id is None or user.role == Role.ADMINISTRATOR:
        return None
    if user.role == Role.HOTLINE_OPERATOR:
        return "operator"
    if user.role == Role.INTEGRATION:
        return "integration"
    # The unit is read only for a supervisor (a query a caseworker's every read paid).
    if user.role != Role.SUPERVISOR or user.unit.kind != AgencyKind.STEERING_COMMITTEE:
        return "unit"
    return "supervisor" if user.unit.province_id is not None else "national"


def _scope_of(role: str, columns: dict, params: list, each_row: bool) -> Q:
    shape = (role, "each row") if each_row else (role,)
    return Q(CachedCondition(shape, _SCOPE_WRITERS[shape], columns, params))


def _exists(connection: BaseDatabaseWrapper, subquery: str, each_row: bool) -> str:
    """EXISTS over the subquery. `each_row` on PostgreSQL: with OFFSET 0, which the planner
    may neither make a join of nor turn into a hashed subplan, both of which read it first,
    and all of it, whenever it believes that cheap (issue 15: it believed a telephony
    account that had taken thousands of intakes since the last ANALYZE had taken one, and
    read all of them for every intake's duplicate check). SQLite has no OFFSET alone."""
    offset = " OFFSET 0" if each_row and connection.vendor == "postgresql" else ""
    return f"EXISTS({subquery}{offset})"


# The writers of case_scope's SQL, {pk} being the case's key in the outer query. Their
# aliases (scope_*) are their own, so that an outer query over the same table (holdings,
# intakes) is never what they read.
def _taken_sql(connection: BaseDatabaseWrapper, *, each_row: bool) -> str:
    """The user took one of the case's intakes."""
    intake = connection.ops.quote_name(Intake._meta.db_table)
    taken = (
        f"SELECT 1 FROM {intake} scope_intake"  # noqa: S608 (our tables)
        ' WHERE scope_intake."case_id" = {pk} AND scope_intake."received_by_id" = %s'
    )
    return _exists(connection, taken, each_row)


def _holding_sql(connection: BaseDatabaseWrapper, *, each_row: bool, also: str = "") -> str:
    """The user's unit holds or held the case with sight left (CaseHolding.sighted): served
    by the holdings' partial (unit, case) index."""
    holding = connection.ops.quote_name(CaseHolding._meta.db_table)
    sighted = _sighted_of_unit('scope_holding."ended_as"', 'scope_holding."unit_id"')
    held = (
        f"SELECT 1 FROM {holding} scope_holding"  # noqa: S608 (our tables)
        f' WHERE {sighted} AND scope_holding."case_id" = {{pk}}{also}'
    )
    return _exists(connection, held, each_row)


def _sighted_of_unit(ended_as: str, unit: str) -> str:
    """The holding leaves its unit sight (CaseHolding.sighted), its endings written into the
    SQL for a prepared statement's generic plan to read the partial indexes made for them,
    and its unit is the parameter."""
    endings = ", ".join(f"'{end}'" for end in SIGHTED_ENDINGS)
    return f"{ended_as} IN ({endings}) AND {unit} = %s"


def _operator_sql(connection: BaseDatabaseWrapper, *, each_row: bool) -> str:
    """The operator took an intake of the case, and their unit holds it or handed it over
    only a short while ago (settings.LOIVE_OPERATOR_SIGHT_AFTER_HANDOVER), so that a call
    back can be answered."""
    recent = ' AND (scope_holding."until" IS NULL OR scope_holding."until" >= %s)'
    taken = _taken_sql(connection, each_row=each_row)
    return f"({taken} AND {_holding_sql(connection, each_row=each_row, also=recent)})"


def _supervisor_sql(connection: BaseDatabaseWrapper, *, each_row: bool) -> str:
    """A Steering Committee supervisor sees what their unit holds, and the cases received in
    or led from their province or a province merged into it."""
    province = connection.ops.quote_name(Province._meta.db_table)
    unit = connection.ops.quote_name(Unit._meta.db_table)
    provinces = (
        f'SELECT scope_province."code" FROM {province} scope_province'  # noqa: S608 (our tables)
        ' WHERE scope_province."code" = %s OR scope_province."merged_into_id" = %s'
    )
    led_there = (
        f'SELECT scope_unit."id" FROM {unit} scope_unit'  # noqa: S608 (our tables)
        f' WHERE scope_unit."province_id" IN ({provinces})'
    )
    return (
        f"({_holding_sql(connection, each_row=each_row)}"
        f" OR {{province}} IN ({provinces}) OR {{lead_unit}} IN ({led_there}))"
    )


# Each role's writer, and its variant tested on each row: made once, as a condition's shape
# is compared with its writer (a CompiledRead's conditions are equal when their writers are).
_SCOPE_WRITERS = {
    (role, *each_row): partial(write, each_row=bool(each_row))
    for role, write in {
        "operator": _operator_sql,
        "integration": _taken_sql,
        "unit": _holding_sql,
        "supervisor": _supervisor_sql,
    }.items()
    for each_row in ((), ("each row",))
}


def with_lead_unit_code(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases annotated with their lead unit's code (`lead_unit_code`) as a scalar subquery,
    not a join: a join stays in the list's capped count (values("pk")) and turned its
    index-served semi-join into hash joins over the whole table (issue 15)."""
    code = Unit.objects.filter(pk=OuterRef("lead_unit_id")).order_by().values("code")[:1]
    return cases.annotate(lead_unit_code=Subquery(code))


class CaseList:
    """The cases a user may see, newest first, as the case list reads them (GET
    /api/v1/cases/), optionally in one stage: a page of some columns, and how many there are,
    counting no further than asked. Both reads are compiled once per scope shape, stage, columns
    and bounds, then only run (config.sql.CompiledRead): built and compiled through the ORM on
    every request, they cost the list more CPU than the database took (issue 15).

    A unit's whole list is read from its holdings, which carry the list's order: walking the
    cases newest first and probing each for a hold, the police (6% of 100,000 cases) read
    3,600 cases for a page of 51, and counted by merging 17,000 case keys (issue 15)."""

    def __init__(self, user: User, columns: tuple[str, ...], *, state: str | None = None):
        self._columns = columns
        self._state = state
        self._held_by = user.unit_id if state is None and _scope_kind(user) == "unit" else None
        # One scope for the page and its count, when the list is not read from the holdings.
        self._scope = case_scope(user) if self._held_by is None else None

    def page(self, offset: int, limit: int) -> list[dict]:
        """At most `limit` cases from `offset` on, by column name (with `lead_unit_code`)."""
        if self._held_by is not None:
            return _HELD_PAGES.rows(_held_page(self._held_by, offset, limit), self._columns)
        return _CASE_PAGES.rows(self._scope, self._state, self._columns, offset, limit)

    def count(self, most: int) -> int:
        """How many cases there are, counting `most` at most."""
        if self._held_by is not None:
            return _HELD_COUNTS.count(_held_by(self._held_by), most)
        return _CASE_COUNTS.count(self._scope, self._state, most)


def _listed(scope: Q, state: str | None) -> QuerySet[Case]:
    """The stage is written into the SQL (Constant), so that PostgreSQL plans each stage's
    list for that stage."""
    cases = Case.objects.filter(scope)
    return cases if state is None else cases.filter(state=Constant(state, CharField()))


# The page's bounds are written into the SQL, not left open (Slot): PostgreSQL's generic plan
# of a LIMIT or OFFSET parameter assumes a tenth of the rows are wanted, and it sorted every
# case the police see (101 ms) instead of walking the list's index (9 ms, issue 15). Each
# offset is then a shape of its own, as it was a statement of its own through the ORM.
_CASE_PAGES = CompiledRead(
    lambda scope, state, columns, offset, limit: (
        with_lead_unit_code(_listed(scope, state))
        .order_by("-received_at", "-id")
        .values(*columns)[offset : offset + limit]
    )
)
_CASE_COUNTS = CompiledRead(
    lambda scope, state, most: _listed(scope, state).order_by().values("pk")[:most]
)


def _held_page(unit_id: int, offset: int, limit: int) -> CachedCondition:
    """The case is on the unit's list from `offset` on, `limit` cases at most."""
    write = partial(_held_page_sql, offset, limit)
    return CachedCondition(("held page", offset, limit), write, {"pk": "pk"}, [unit_id])


def _held_by(unit_id: int) -> CachedCondition:
    """The holding is the unit's and leaves it sight."""
    columns = {"ended_as": "ended_as", "unit": "unit_id"}
    return CachedCondition(("held",), _held_by_sql, columns, [unit_id])


def _held_by_sql(connection: BaseDatabaseWrapper) -> str:
    return _sighted_of_unit("{ended_as}", "{unit}")


def _held_page_sql(offset: int, limit: int, connection: BaseDatabaseWrapper) -> str:
    """Read from the holdings' (unit, case_received_at, case) index in the list's order, a
    case held twice (a completed referral, then another) listed once."""
    holding = connection.ops.quote_name(CaseHolding._meta.db_table)
    held = _sighted_of_unit('page_holding."ended_as"', 'page_holding."unit_id"')
    return (
        '{pk} IN (SELECT page."case_id" FROM (SELECT DISTINCT'  # noqa: S608 (our tables)
        ' page_holding."case_received_at", page_holding."case_id"'
        f" FROM {holding} page_holding WHERE {held}"
        ' ORDER BY page_holding."case_received_at" DESC, page_holding."case_id" DESC'
        f" LIMIT {limit:d} OFFSET {offset:d}) page)"
    )


_HELD_PAGES = CompiledRead(
    lambda page, columns: (
        with_lead_unit_code(Case.objects.filter(page))
        .order_by("-received_at", "-id")
        .values(*columns)
    )
)
_HELD_COUNTS = CompiledRead(
    lambda held, most: (
        CaseHolding.objects.filter(held).order_by().values("case_id").distinct()[:most]
    )
)


def get_visible_case(user: User, case_id) -> Case:
    """The case if the user may know it exists, with its lead unit, province and data key (what
    the user may see of it starts with whether it was erased); otherwise 404 (no existence
    leak); what is not a case id at all is bad input (ValidationError, 400). In one query
    compiled once: compiling it through the ORM on every request cost ~2 ms of CPU, a quarter
    of the timeline's (issue 15)."""
    try:
        rows = _VISIBLE_CASE.rows(case_scope(user), case=case_id)
    except (ValueError, TypeError) as exc:
        raise NotFound(_("No such case.")) from exc
    if not rows:
        raise NotFound(_("No such case."))
    case = instance_of(Case, rows[0])
    for name, model in _READ_WITH_CASE.items():
        related = instance_of(model, rows[0], f"{name}__")
        Case._meta.get_field(name).set_cached_value(case, related)
    return case


_READ_WITH_CASE = {"lead_unit": Unit, "province": Province, "data_key": DataKey}
_CASE_COLUMNS = columns_of(Case) + [
    column for name, model in _READ_WITH_CASE.items() for column in columns_of(model, f"{name}__")
]
_VISIBLE_CASE = CompiledRead(
    lambda scope: Case.objects.filter(
        scope, uuid=Slot("case", Case._meta.get_field("uuid"))
    ).values(*_CASE_COLUMNS)
)


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


# What a possible duplicate shows (its id, number and stage; the intake form its date) and
# the intake compares (its key): never an identity field. In the model's order, as
# Model.from_db takes a row of some of its fields.
DUPLICATE_COLUMNS = ("id", "uuid", "number", "received_at", "state")
_POSSIBLE_DUPLICATES = CompiledRead(
    lambda scope, shares: (
        Case.objects.filter(scope, shares).order_by("received_at", "pk").values(*DUPLICATE_COLUMNS)
    ),
)


def _shares_index_sql(connection: BaseDatabaseWrapper, *, phones: int) -> str:
    """The case is not closed, and one of its people has one of the phones' blind indexes,
    the ID number's or the name and birth year's (served by the persons' index of each).
    On PostgreSQL, as an array the cases' key is looked up in: the few cases sharing one
    are found first, and the user's scope is tested on each of them (case_scope's
    `each_row`). The indexes are opaque parameters: seeing which were not given, PostgreSQL
    folded them away and planned every run anew."""
    person = connection.ops.quote_name(Person._meta.db_table)
    indexes = ["phone_index"] * phones + ["id_number_index", "name_year_index"]
    matches = " OR ".join(f'dup_person."{column}" = {OPAQUE_PARAMETER}' for column in indexes)
    sharing = f'SELECT dup_person."case_id" FROM {person} dup_person WHERE {matches}'  # noqa: S608
    among = "= ANY(ARRAY({}))" if connection.vendor == "postgresql" else "IN ({})"
    return f"{{pk}} {among.format(sharing)} AND {{state}} <> %s"


def possible_duplicates(
    user: User,
    *,
    phones: list[str] = (),
    id_number: str = "",
    name: str = "",
    birth_year: str | int | None = None,
) -> list[Case]:
    """Open cases the user may know exist that share a phone, ID number or name + birth year,
    oldest first, with their DUPLICATE_COLUMNS only (read through CompiledRead: the ORM built
    and compiled this read for longer than the database took to answer it, issue 15)."""
    digests = [digest for value in phones if (digest := phone_index(value))]
    others = [
        id_number_index(id_number),
        name and birth_year and name_birth_year_index(name, birth_year),
    ]
    if not digests and not any(others):
        return []
    # None for an index not given: NULL equals nothing (one SQL for any of them given).
    shares = CachedCondition(
        ("possible_duplicates", len(digests)),
        partial(_shares_index_sql, phones=len(digests)),
        {"pk": "pk", "state": "state"},
        [*digests, *(other or None for other in others), CaseState.CLOSED],
    )
    rows = _POSSIBLE_DUPLICATES.rows(case_scope(user, each_row=True), shares)
    return [Case.from_db(Case.objects.db, DUPLICATE_COLUMNS, list(row.values())) for row in rows]


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
