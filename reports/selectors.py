"""Periodic statistics for the Steering Committee 138 (báo cáo định kỳ về Ban Chỉ đạo 138).

Counts over the cases the user may see, for one period and the previous one, broken down by
the victim's sex and age group, the province (as it is for the period: an old province counts
under the province it had merged into by the period's last day), the form of trafficking and
the destination country; then the criminal track's figures and the plan's targets
(reports.proceedings). Only aggregates leave this module: no names, no case numbers.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet, Value
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
    ServiceStatus,
    Sex,
    TraffickingPurpose,
)
from cases.selectors import visible_cases
from config.errors import NotAllowed
from places.models import Province
from rulebooks.models import SupportServiceKind
from rulebooks.periods import Period, describe, parse_period

from .proceedings import (
    previous_period,
    proceedings_figures,
    proceedings_targets,
    scope_province,
)

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Source:
    """Where figures find their cases: the moment a record of the case was made (a path from
    Case), the condition the record meets, and the path of its kind when figures split by it.
    One query per source reads both periods of every figure it feeds."""

    moment: str
    condition: Q = Q()
    kind: str = ""


RECEIVED = Source("received_at")
CLOSED = Source("state_changes__at", Q(state_changes__transition="close"))
VERIFIED = Source("verifications__recorded_at")
IDENTIFIED = Source("identifications__decided_at", Q(identifications__is_victim=True))
RESCUED = Source("rescues__rescued_at")
PROVIDED = Source(
    "services__provided_at", Q(services__status=ServiceStatus.PROVIDED), "services__kind"
)


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
    case_sets, previous = _figure_cases(visible_cases(user), (parsed, before), figures)
    profiles = _profiles(set().union(*case_sets.values()), parsed.last_day)
    dimensions = _dimension_labels(profiles)
    province = scope_province(user, parsed.last_day)
    return {
        "period": describe(parsed, province),
        "previous_period": before.code,
        "scope": {"unit": user.unit.name, "province": province.name if province else None},
        "generated_at": timezone.now(),
        "figures": [
            _figure(figure, case_sets[figure.key], profiles, dimensions)
            | {"previous": len(previous[figure.key])}
            for figure in figures
        ]
        + proceedings_figures(user, parsed),
        "targets": proceedings_targets(user, parsed),
    }


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


def _figure_cases(
    cases: QuerySet[Case], periods: tuple[Period, ...], figures: list[Figure]
) -> list[dict[str, set[int]]]:
    """For each period, figure key → the ids of the cases it counts: one query per source
    over all the periods, then sorted out here."""
    not_victims = _found_not_victims(cases)
    counted = [{figure.key: set() for figure in figures} for _period in periods]
    for source in dict.fromkeys(figure.source for figure in figures):
        fed = [figure for figure in figures if figure.source == source]
        for pk, moment, kind in _source_rows(cases, source, periods):
            for index, period in enumerate(periods):
                if period.starts_at <= moment < period.ends_at:
                    for figure in fed:
                        if not figure.kind or figure.kind == kind:
                            counted[index][figure.key].add(pk)
    for by_key in counted:
        for figure in figures:
            if figure.victims_only:
                by_key[figure.key] -= not_victims
    return counted


def _source_rows(cases: QuerySet[Case], source: Source, periods: tuple[Period, ...]):
    """(case id, moment, kind) of the source's records made from the first period's start
    to the last one's end."""
    within = Q(
        **{
            f"{source.moment}__gte": min(p.starts_at for p in periods),
            f"{source.moment}__lt": max(p.ends_at for p in periods),
        }
    )
    kind = F(source.kind) if source.kind else Value("")
    rows = cases.filter(source.condition & within).annotate(record_kind=kind)
    return rows.order_by().values_list("pk", source.moment, "record_kind")


def _found_not_victims(cases: QuerySet[Case]) -> set[int]:
    """Cases closed as "not a victim", or whose latest identification decision says so."""
    closed = (
        cases.filter(closure_reason=ClosureReason.NOT_A_VICTIM)
        .order_by()
        .values_list("pk", flat=True)
    )
    latest: dict[int, bool] = {}
    decisions = Identification.objects.filter(case__in=cases.values("pk")).order_by(
        "decided_at", "pk"
    )
    for case_id, is_victim in decisions.values_list("case_id", "is_victim"):
        latest[case_id] = is_victim
    return set(closed) | {case_id for case_id, is_victim in latest.items() if not is_victim}


def _profiles(case_ids: set[int], day: date) -> dict[int, dict[str, list[str]]]:
    """Case id → dimension → the codes it counts under (a case may have several purposes)."""
    victims: dict[int, tuple[str, str]] = {}
    people = Person.objects.filter(case_id__in=case_ids, role=PersonRole.VICTIM).order_by("pk")
    for case_id, sex, age_group in people.values_list("case_id", "sex", "age_group"):
        victims.setdefault(case_id, (sex, age_group))
    rows = list(
        Case.objects.filter(pk__in=case_ids)
        .order_by()
        .values_list("pk", "province_id", "purposes", "destination_country")
    )
    provinces = _provinces_as_of({row[1] for row in rows if row[1]}, day)
    return {
        pk: {
            "sex": [victims.get(pk, (UNKNOWN,))[0]],
            "age_group": [victims.get(pk, (UNKNOWN, UNKNOWN))[1]],
            "province": [provinces[code].code if code else UNKNOWN],
            "purpose": list(purposes or []) or [UNKNOWN],
            "destination_country": [country or UNKNOWN],
        }
        for pk, code, purposes, country in rows
    }


def _provinces_as_of(codes: set[str], day: date) -> dict[str, Province]:
    """Each stored province → the province it is, or had merged into, on `day`."""
    found = Province.objects.select_related("merged_into").filter(code__in=codes)
    return {province.code: province.as_of(day) for province in found}


def _dimension_labels(profiles: dict) -> dict[str, tuple[str, dict[str, str], bool]]:
    """Dimension → (its label, code → label, whether every value is shown even at zero)."""
    provinces = Province.objects.filter(
        code__in={code for profile in profiles.values() for code in profile["province"]}
    )
    return {
        "sex": (_("Sex"), _labels(Sex.choices), True),
        "age_group": (_("Age group"), _labels(AgeGroup.choices), True),
        "province": (_("Province"), {p.code: p.name for p in provinces}, False),
        "purpose": (_("Form of trafficking"), _labels(TraffickingPurpose.choices), True),
        "destination_country": (_("Destination country"), {}, False),
    }


def _labels(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {code: str(label) for code, label in choices}


def _figure(figure: Figure, case_ids: set[int], profiles: dict, dimensions: dict) -> dict:
    return {
        "key": figure.key,
        "label": figure.label,
        "total": len(case_ids),
        "breakdowns": [
            _breakdown(dimension, *labels, [profiles[pk][dimension] for pk in case_ids])
            for dimension, labels in dimensions.items()
        ],
    }


def _breakdown(
    dimension: str, label: str, names: dict[str, str], fixed: bool, codes: list[list[str]]
) -> dict:
    counts = Counter(code for case_codes in codes for code in case_codes)
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
