"""Periodic statistics for the Steering Committee 138 (báo cáo định kỳ về Ban Chỉ đạo 138).

Counts over the cases the user may see, for one period and the previous one, broken down by
the victim's sex and age group, the province (as it is for the period: an old province counts
under the province it had merged into by the period's last day), the form of trafficking and
the destination country; then the criminal track's figures and the plan's targets
(reports.proceedings). Only aggregates leave this module: no names, no case numbers.

Counted in the database in one grouped query whatever the number of cases (issues 11 and
15): the visible cases grouped by their province, forms and destination and by their first
victim's sex and age group, with one conditional count per figure and period. Each source of
records (closures, verifications, ...) enters a count as an uncorrelated `case IN (...)` that
PostgreSQL builds once as a hash; the groups are few, and only they reach Python.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import CharField, Count, Exists, F, Model, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role, User
from cases.models import (
    AgeGroup,
    Case,
    ClosureReason,
    Identification,
    Person,
    PersonRole,
    Rescue,
    ServiceStatus,
    Sex,
    StateChange,
    SupportService,
    TraffickingPurpose,
    Verification,
)
from cases.selectors import case_scope
from config.errors import NotAllowed
from places.models import Province
from rulebooks.models import SupportServiceKind
from rulebooks.periods import Period, describe, parse_period

from .proceedings import (
    previous_period,
    proceedings_figures,
    proceedings_targets,
    scope_for,
    scope_province,
)

UNKNOWN = "unknown"
DIMENSIONS = ("province_id", "purposes", "destination_country")  # grouped on the case
VICTIM_DIMENSIONS = ("sex", "age_group")  # grouped on the case's first victim


@dataclass(frozen=True)
class Source:
    """Where figures find their cases: the records of `model` (None: the case itself) made in
    the period (`moment`) that meet `condition`; `kind`, the field figures split by."""

    model: type[Model] | None
    moment: str
    condition: Q = Q()
    kind: str = ""


RECEIVED = Source(None, "received_at")
CLOSED = Source(StateChange, "at", Q(transition="close"))
VERIFIED = Source(Verification, "recorded_at")
IDENTIFIED = Source(Identification, "decided_at", Q(is_victim=True))
RESCUED = Source(Rescue, "rescued_at")
PROVIDED = Source(SupportService, "provided_at", Q(status=ServiceStatus.PROVIDED), "kind")


@dataclass(frozen=True)
class Figure:
    """One count of the report: the cases with a record of `source` (of `kind`, when given)
    made in the period."""

    key: str
    label: str
    source: Source
    victims_only: bool  # persons found not to be victims are left out
    kind: str = ""


def periodic_report(user: User, period: str) -> dict:
    """Báo cáo định kỳ: the period's figures and the plan's targets, for a supervisor."""
    _require_reader(user)
    parsed = parse_period(period)
    before = previous_period(parsed)
    figures = _figures()
    # PostgreSQL's JIT compiler is off for every connection (config/settings.py): with it
    # these aggregates spent most of their time compiling (0.76 s of 0.92 s at 100,000 cases).
    groups = _case_groups(user, figures, (parsed, before))
    figure_rows = _figure_rows(figures, groups, parsed.last_day)
    scope = scope_for(user)
    proceedings = proceedings_figures(user, parsed, scope)
    targets = proceedings_targets(user, parsed, scope)
    province = scope_province(user, parsed.last_day)
    return {
        "period": describe(parsed, province),
        "previous_period": before.code,
        "scope": {"unit": user.unit.name, "province": province.name if province else None},
        "generated_at": timezone.now(),
        "figures": figure_rows + proceedings,
        "targets": targets,
    }


def report_schedule(user: User, period: str) -> dict:
    """The period and the day its report is due, as the rulebook sets it for the user's
    province (its own day where it sets one, e.g. Quảng Trị's 17th; national units: Plan 19)."""
    _require_reader(user)
    parsed = parse_period(period)
    return describe(parsed, scope_province(user, parsed.last_day))


def _require_reader(user: User) -> None:
    if not (user.is_active and user.unit_id and user.role == Role.SUPERVISOR):
        raise NotAllowed(
            _("Only supervisors and the Steering Committee 138 can see the periodic statistics.")
        )


def _figures() -> list[Figure]:
    """The report's counts, in the order of the form; one per service type at the end."""
    return [
        Figure("received", _("Reports received"), RECEIVED, False),
        Figure("resolved", _("Reports resolved"), CLOSED, False),
        Figure("investigated", _("Cases investigated (verification recorded)"), VERIFIED, False),
        Figure("identified", _("Victims identified"), IDENTIFIED, True),
        Figure("rescued", _("Victims rescued"), RESCUED, True),
        Figure("supported", _("Victims supported (any service)"), PROVIDED, True),
        *(
            Figure(
                f"supported.{kind}",
                _("Victims supported: %(service)s") % {"service": label},
                PROVIDED,
                True,
                kind,
            )
            for kind, label in SupportServiceKind.choices
        ),
    ]


def _counted(figure: Figure, period: Period) -> Q:
    """The condition under which a case counts in the figure for the period."""
    source = figure.source
    within = {f"{source.moment}__gte": period.starts_at, f"{source.moment}__lt": period.ends_at}
    if source.model is None:
        counted = Q(**within)
    else:
        records = source.model.objects.filter(source.condition, **within)
        if figure.kind:
            records = records.filter(**{source.kind: figure.kind})
        counted = Q(pk__in=records.order_by().values("case_id"))
    if figure.victims_only:
        counted &= ~_found_not_victim()
    return counted


def _found_not_victim() -> Q:
    """Cases closed as "not a victim", or whose latest identification decision says so."""
    later = Identification.objects.filter(case_id=OuterRef("case_id")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), pk__gt=OuterRef("pk"))
    )
    latest_says_not = Identification.objects.filter(is_victim=False).exclude(Exists(later))
    return Q(closure_reason=ClosureReason.NOT_A_VICTIM) | Q(
        pk__in=latest_says_not.order_by().values("case_id")
    )


def _counts(figures: list[Figure], periods: tuple[Period, ...]) -> dict[str, Count]:
    return {
        f"n{index}_{number}": Count("pk", filter=_counted(figure, period))
        for number, figure in enumerate(figures)
        for index, period in enumerate(periods)
    }


def _case_groups(user: User, figures: list[Figure], periods: tuple[Period, ...]) -> list[dict]:
    """The visible cases grouped by their dimensions and their first victim's (lowest id) sex
    and age group, each group with its count per figure and period (`n{period index}_{figure
    index}`): one query, one pass over the cases."""
    first_victim = (
        Person.objects.filter(case_id=OuterRef("pk"), role=PersonRole.VICTIM)
        .order_by("pk")
        .annotate(profile=Concat(*_joined(VICTIM_DIMENSIONS), output_field=CharField()))
    )
    cases = Case.objects.filter(case_scope(user)).order_by()
    groups = (
        cases.annotate(victim=Subquery(first_victim.values("profile")[:1]))
        .values(*DIMENSIONS, "victim")
        .annotate(**_counts(figures, periods))
    )
    return [
        group | dict(zip(VICTIM_DIMENSIONS, _split(group["victim"]), strict=True))
        for group in groups
    ]


def _joined(fields: tuple[str, ...]) -> list:
    """The fields' values joined by "|" (codes never hold one): one index probe per case for
    all of the first victim's dimensions, not one per dimension."""
    parts = [F(fields[0])]
    for field in fields[1:]:
        parts += [Value("|"), F(field)]
    return parts


def _split(profile: str | None) -> list[str | None]:
    """The first victim's dimension codes; None each when the case has no victim."""
    return [None] * len(VICTIM_DIMENSIONS) if profile is None else profile.split("|")


def _figure_rows(figures: list[Figure], groups: list[dict], day: date):
    """The figures with their totals, previous totals and breakdowns, from the groups."""
    provinces = _provinces_as_of({g["province_id"] for g in groups if g["province_id"]}, day)
    counted = [
        {
            "province": Counter(),
            "purpose": Counter(),
            "destination_country": Counter(),
            "sex": Counter(),
            "age_group": Counter(),
        }
        for _figure in figures
    ]
    totals, previous = [0] * len(figures), [0] * len(figures)
    for group in groups:
        code = group["province_id"]
        province = provinces[code].code if code else UNKNOWN
        for number in range(len(figures)):
            previous[number] += group[f"n1_{number}"]
            n = group[f"n0_{number}"]
            if not n:
                continue
            totals[number] += n
            by = counted[number]
            by["province"][province] += n
            for purpose in list(group["purposes"] or []) or [UNKNOWN]:
                by["purpose"][purpose] += n
            by["destination_country"][group["destination_country"] or UNKNOWN] += n
            for dimension in VICTIM_DIMENSIONS:
                value = group[dimension]  # None: the case has no victim
                by[dimension][UNKNOWN if value is None else value] += n
    names = {province.code: province.name for province in provinces.values()}
    dimensions = _dimension_labels(
        {code: names[code] for by in counted for code in by["province"] if code in names}
    )
    return [
        {
            "key": figure.key,
            "label": figure.label,
            "total": total,
            "breakdowns": [
                _breakdown(dimension, *labels, counted[number][dimension])
                for dimension, labels in dimensions.items()
            ],
            "previous": previous[number],
        }
        for number, (figure, total) in enumerate(zip(figures, totals, strict=True))
    ]


def _provinces_as_of(codes: set[str], day: date) -> dict[str, Province]:
    """Each stored province → the province it is, or had merged into, on `day`."""
    found = Province.objects.select_related("merged_into").filter(code__in=codes)
    return {province.code: province.as_of(day) for province in found}


def _dimension_labels(provinces: dict[str, str]) -> dict[str, tuple[str, dict[str, str], bool]]:
    """Dimension → (its label, code → label, whether every value is shown even at zero);
    `provinces`: code → name of the provinces counted."""
    return {
        "sex": (_("Sex"), _labels(Sex.choices), True),
        "age_group": (_("Age group"), _labels(AgeGroup.choices), True),
        "province": (_("Province"), provinces, False),
        "purpose": (_("Form of trafficking"), _labels(TraffickingPurpose.choices), True),
        "destination_country": (_("Destination country"), {}, False),
    }


def _labels(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {code: str(label) for code, label in choices}


def _breakdown(
    dimension: str, label: str, names: dict[str, str], fixed: bool, counts: Counter
) -> dict:
    extra = sorted((c for c in counts if c not in names), key=lambda c: (c == UNKNOWN, c))
    shown = [*names, *extra] if fixed else sorted(names, key=names.get) + extra
    return {
        "dimension": dimension,
        "label": label,
        "values": [
            {"code": code, "label": _value_label(code, names), "count": counts[code]}
            for code in shown
            if fixed or counts[code]
        ],
    }


def _value_label(code: str, names: dict[str, str]) -> str:
    if code in names:
        return names[code]
    return _("Not recorded") if code == UNKNOWN else code


def targets_dashboard(user: User, period: str, quarters: int = 4) -> dict:
    """The plans' targets for the period, each with its rate over the last `quarters` quarters
    up to the period's end (oldest first), and the day the period's report is due."""
    _require_reader(user)
    parsed = parse_period(period)
    province = scope_province(user, parsed.last_day)
    trend = _quarters_until(parsed.last_day, quarters)
    by_quarter = [
        {row["key"]: row for row in proceedings_targets(user, quarter)} for quarter in trend
    ]
    return {
        "period": describe(parsed, province),
        "scope": {"unit": user.unit.name, "province": province.name if province else None},
        "targets": [
            target
            | {
                "trend": [
                    rows[target["key"]]
                    | {
                        "period": quarter.code,
                        "year": quarter.year,
                        "quarter": int(quarter.part[1]),
                    }
                    for quarter, rows in zip(trend, by_quarter, strict=True)
                ]
            }
            for target in proceedings_targets(user, parsed)
        ],
    }


def _quarters_until(day: date, count: int) -> list[Period]:
    """The `count` quarters ending with the one `day` falls in, oldest first."""
    quarters = [Period(day.year, f"Q{(day.month - 1) // 3 + 1}")]
    while len(quarters) < count:
        quarters.insert(0, previous_period(quarters[0]))
    return quarters
