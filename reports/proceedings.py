"""The proceedings figures of the periodic report and the plan's targets, counted in the
database: one aggregate query per kind of record, whatever the number of rows.

Tips count under the province of the unit that received them, criminal cases under the
province of the investigating unit, as the province is for the period (an old province counts
under the one it merged into). Only counts leave this module: never who an offender is.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies.models import AgencyKind, User
from places.models import Province
from proceedings.lifecycle import TipState
from proceedings.models import (
    CriminalCase,
    ExploitationSector,
    Offender,
    OffenderRole,
    Route,
    Tip,
    TipOutcome,
    Verdict,
)
from rulebooks.periods import Period
from rulebooks.selectors import province_lineage

from .targets import Target, targets_for


def previous_period(period: Period) -> Period:
    """The period of the same length just before: 2026-Q1 → 2025-Q4, 2026-H1 → 2025-H2."""
    if not period.part:
        return Period(period.year - 1, "")
    kind, number = period.part[0], int(period.part[1])
    if number > 1:
        return Period(period.year, f"{kind}{number - 1}")
    return Period(period.year - 1, f"{kind}{4 if kind == 'Q' else 2}")


@dataclass(frozen=True)
class Scope:
    """Which tips and criminal cases a supervisor's report covers."""

    tips: Q
    cases: Q


def scope_for(user: User) -> Scope:
    """The Steering Committee: its province and the provinces merged into it (national: all);
    an agency head: what their unit received, investigated, prosecuted or tried."""
    unit = user.unit
    if unit.kind == AgencyKind.STEERING_COMMITTEE:
        if unit.province_id is None:
            return Scope(Q(), Q())
        provinces = [unit.province_id, *unit.province.merged_from.values_list("code", flat=True)]
        return Scope(
            Q(unit__province_id__in=provinces),
            Q(investigating_unit__province_id__in=provinces),
        )
    return Scope(
        Q(unit_id=unit.pk),
        Q(investigating_unit_id=unit.pk) | Q(procuracy_unit_id=unit.pk) | Q(court_unit_id=unit.pk),
    )


def _within(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_at})


# Figure key → (label, the records it counts, the condition in the period).
TIP_FIGURES: dict[str, tuple[str, Callable[[Period], Q]]] = {
    "tips_received": (
        gettext_noop("Tips and reports of trafficking received"),
        lambda p: _within("received_at", p),
    ),
    "tips_resolved": (
        gettext_noop("Tips and reports resolved"),
        lambda p: _within("resolved_at", p),
    ),
    "tips_resolved_on_time": (
        gettext_noop("Tips and reports resolved within the legal time limit"),
        lambda p: _within("resolved_at", p) & Q(resolved_at__lte=F("due_at")),
    ),
    "tips_overdue": (
        gettext_noop(
            "Tips and reports past their time limit and unresolved at the end of the period"
        ),
        lambda p: (
            Q(received_at__lt=p.ends_at, due_at__lt=p.ends_at)
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=p.ends_at))
            & ~Q(state=TipState.SUSPENDED)
        ),
    ),
}
CASE_FIGURES: dict[str, tuple[str, Callable[[Period], Q]]] = {
    "criminal_cases_opened": (
        gettext_noop("Criminal cases opened"),
        lambda p: _within("opened_at", p),
    ),
    "criminal_cases_investigated": (
        gettext_noop("Criminal cases investigated and solved"),
        lambda p: _within("investigation_concluded_at", p),
    ),
    "criminal_cases_prosecuted": (
        gettext_noop("Criminal cases prosecuted"),
        lambda p: _within("indicted_at", p),
    ),
    "criminal_cases_tried": (
        gettext_noop("Criminal cases tried"),
        lambda p: _within("tried_at", p),
    ),
}
OFFENDER_FIGURES: dict[str, tuple[str, Callable[[Period], Q]]] = {
    "offenders_prosecuted": (
        gettext_noop("Offenders prosecuted"),
        lambda p: Q(indicted=True) & _within("criminal_case__indicted_at", p),
    ),
    "offenders_convicted": (
        gettext_noop("Offenders convicted"),
        lambda p: Q(verdict=Verdict.CONVICTED) & _within("criminal_case__tried_at", p),
    ),
}


def _counts(queryset: QuerySet, figures: dict, periods: tuple[Period, ...]) -> list[dict]:
    """Every figure of one kind of record for each of the periods, in one query."""
    counts = queryset.aggregate(
        **{
            f"{key}:{index}": Count("pk", filter=condition(period))
            for key, (_l, condition) in figures.items()
            for index, period in enumerate(periods)
        }
    )
    return [{key: counts[f"{key}:{index}"] for key in figures} for index in range(len(periods))]


def proceedings_figures(user: User, period: Period, scope: Scope | None = None) -> list[dict]:
    """The figures with their breakdowns (routes, offenders' roles) and the previous period;
    `scope`: the user's, when the caller has it already."""
    scope, before = scope or scope_for(user), previous_period(period)
    tips = Tip.objects.filter(scope.tips)
    cases = CriminalCase.objects.filter(scope.cases)
    offenders = Offender.objects.filter(criminal_case__in=cases)
    now, then = {}, {}
    for queryset, figures in (
        (tips, TIP_FIGURES),
        (cases, CASE_FIGURES),
        (offenders, OFFENDER_FIGURES),
    ):
        in_period, in_previous = _counts(queryset, figures, (period, before))
        now |= in_period
        then |= in_previous
    breakdowns = {
        "criminal_cases_opened": _route_breakdowns(cases, period, period.last_day),
        **_role_breakdowns(offenders, period, ("offenders_prosecuted", "offenders_convicted")),
    }
    labels = {
        key: label
        for figures in (TIP_FIGURES, CASE_FIGURES, OFFENDER_FIGURES)
        for key, (label, _c) in figures.items()
    }
    return [
        {
            "key": key,
            "label": _(label),
            "total": now[key],
            "previous": then[key],
            "breakdowns": breakdowns.get(key, []),
        }
        for key, label in labels.items()
    ]


def _route_breakdowns(cases: QuerySet, period: Period, day) -> list[dict]:
    """Routes and hot spots of the cases opened in the period: destination country, sector,
    province of origin (as it is for the period)."""
    routes = Route.objects.filter(criminal_case__in=cases.filter(_within("opened_at", period)))
    by_country = routes.values("destination_country").annotate(
        n=Count("criminal_case", distinct=True)
    )
    by_sector = routes.values("sector").annotate(n=Count("criminal_case", distinct=True))
    by_origin = routes.values("origin_province").annotate(n=Count("criminal_case", distinct=True))
    sectors = dict(ExploitationSector.choices)
    origin: dict[str, int] = {}
    names: dict[str, str] = {}
    provinces = Province.objects.select_related("merged_into").in_bulk(
        [row["origin_province"] for row in by_origin if row["origin_province"]]
    )
    for row in by_origin:
        code = row["origin_province"]
        now = provinces[code].as_of(day) if code else None
        key = now.code if now else "unknown"
        origin[key] = origin.get(key, 0) + row["n"]
        if now:
            names[key] = now.name
    return [
        _breakdown(
            "destination_country",
            _("Destination country"),
            [(r["destination_country"], r["destination_country"], r["n"]) for r in by_country],
        ),
        _breakdown(
            "sector",
            _("Exploitation sector"),
            [(r["sector"], str(sectors.get(r["sector"], r["sector"])), r["n"]) for r in by_sector],
        ),
        _breakdown(
            "origin_province",
            _("Province of origin"),
            [(code, names.get(code, _("Not recorded")), n) for code, n in origin.items()],
        ),
    ]


def _role_breakdowns(offenders: QuerySet, period: Period, keys: tuple[str, ...]) -> dict:
    """Figure key → [the offenders it counts by role], for the offender figures, in one
    grouped query."""
    roles = dict(OffenderRole.choices)
    rows = list(
        offenders.order_by()
        .values("role")
        .annotate(
            **{
                f"n{number}": Count("pk", filter=OFFENDER_FIGURES[key][1](period))
                for number, key in enumerate(keys)
            }
        )
    )
    return {
        key: [
            _breakdown(
                "offender_role",
                _("Role of the offender"),
                [
                    (r["role"], str(roles.get(r["role"], r["role"])), r[f"n{number}"])
                    for r in rows
                    if r[f"n{number}"]
                ],
            )
        ]
        for number, key in enumerate(keys)
    }


def _breakdown(dimension: str, label: str, values: list[tuple[str, str, int]]) -> dict:
    return {
        "dimension": dimension,
        "label": label,
        "values": [
            {"code": code, "label": name, "count": count}
            for code, name, count in sorted(values, key=lambda v: (-v[2], v[0]))
        ],
    }


# Target measure → (what is to be done in the period: the denominator, what was done: the
# numerator). "To be done" carries over what was left at the period's start, so a tip or case
# crossing a period boundary counts where it was pending and where it was done.
def _pending(started: str, done: str, p: Period) -> Q:
    return Q(**{f"{started}__lt": p.ends_at}) & (
        Q(**{f"{done}__isnull": True}) | Q(**{f"{done}__gte": p.starts_at})
    )


def _not_dropped_before(p: Period) -> Q:
    return Q(discontinued_at__isnull=True) | Q(discontinued_at__gte=p.starts_at)


MEASURES: dict[str, tuple[str, Callable[[Period], Q], Callable[[Period], Q]]] = {
    "tips_processed": (
        "tips",
        lambda p: _within("received_at", p),
        lambda p: (
            _within("received_at", p)
            & (Q(verification_started_at__lt=p.ends_at) | Q(resolved_at__lt=p.ends_at))
        ),
    ),
    "tips_opened": (
        "tips",
        lambda p: _within("received_at", p),
        lambda p: Q(outcome=TipOutcome.CASE_OPENED, resolved_at__lt=p.ends_at),
    ),
    "tips_resolved": (
        "tips",
        lambda p: _pending("received_at", "resolved_at", p),
        lambda p: _within("resolved_at", p),
    ),
    "investigated": (
        "cases",
        lambda p: _pending("opened_at", "investigation_concluded_at", p) & _not_dropped_before(p),
        lambda p: _within("investigation_concluded_at", p),
    ),
    "prosecuted": (
        "cases",
        lambda p: _pending("investigation_concluded_at", "indicted_at", p) & _not_dropped_before(p),
        lambda p: _within("indicted_at", p),
    ),
    "tried": (
        "cases",
        lambda p: _pending("indicted_at", "tried_at", p) & _not_dropped_before(p),
        lambda p: _within("tried_at", p),
    ),
}


def scope_province(user: User, day: date) -> Province | None:
    """The province whose figures the report covers, as it is on `day` (None: national)."""
    return user.unit.province.as_of(day) if user.unit.province_id else None


def compared_period(target: Target, period: Period) -> Period:
    """What the period's rate is set beside: the same period a year before for a yearly rise,
    else the previous period."""
    return Period(period.year - 1, period.part) if target.rises else previous_period(period)


def proceedings_targets(user: User, period: Period, scope: Scope | None = None) -> list[dict]:
    """Each target of the plans that bind the user's province, with its achieved rate and the
    compared period's beside it; `scope`: the user's, when the caller has it already."""
    province = scope_province(user, period.last_day)
    targets = targets_for(province_lineage(province) if province else [])
    wanted: set[tuple[str, Period]] = set()
    for target in targets:
        before = compared_period(target, period)
        wanted |= {(target.measure, period), (target.measure, before)}
        if target.rises:
            wanted.add((target.measure, compared_period(target, before)))
    counts = _measured(scope or scope_for(user), wanted)
    return [_target(target, period, counts) for target in targets]


def _measured(scope: Scope, wanted: set[tuple[str, Period]]) -> dict[tuple[str, Period], tuple]:
    """(measure, period) → (done, to do), one aggregate query per kind of record."""
    records = {
        "tips": Tip.objects.filter(scope.tips),
        "cases": CriminalCase.objects.filter(scope.cases),
    }
    counts = {}
    for kind, queryset in records.items():
        aggregates = {}
        for measure, p in wanted:
            measured, to_do, done = MEASURES[measure]
            if measured == kind:
                aggregates[f"{measure}:{p.code}:of"] = Count("pk", filter=to_do(p))
                aggregates[f"{measure}:{p.code}:done"] = Count("pk", filter=to_do(p) & done(p))
        counts |= queryset.aggregate(**aggregates) if aggregates else {}
    return {
        (measure, p): (counts[f"{measure}:{p.code}:done"], counts[f"{measure}:{p.code}:of"])
        for measure, p in wanted
    }


def _target(target: Target, period: Period, counts: dict) -> dict:
    before = compared_period(target, period)
    return _evaluated(target, period, counts) | {
        "key": target.key,
        "label": str(target.label),
        "target_percent": target.percent,
        "comparison": "rises_by_at_least"
        if target.rises
        else ("above" if target.strictly_above else "at_least"),
        "quote": target.quote,
        "citation": target.citation,
        "basis": str(target.basis),
        "previous": _evaluated(target, before, counts) | {"period": before.code},
    }


def _evaluated(target: Target, period: Period, counts: dict) -> dict:
    done, of = counts[(target.measure, period)]
    if not of:
        return _rate(0, 0) | _status("no_reports", _("Nothing to count in the period"))
    row = _rate(done, of)
    if target.rises:
        baseline = counts.get((target.measure, compared_period(target, period)))
        if not baseline or not baseline[1]:
            return row | _status("no_baseline", _("No figures a year before to compare with"))
        # (done/of − base_done/base_of) × 100 ≥ percent, in integers.
        base_done, base_of = baseline
        met = (done * base_of - base_done * of) * 100 >= target.percent * of * base_of
    else:
        achieved, required = done * 100, target.percent * of
        met = achieved > required if target.strictly_above else achieved >= required
    return row | (_status("met", _("Met")) if met else _status("not_met", _("Not met")))


def _rate(done: int, of: int) -> dict:
    return {
        "numerator": done,
        "denominator": of,
        "achieved_percent": round(100 * done / of, 1) if of else None,
    }


def _status(status: str, label: str) -> dict:
    return {"status": status, "status_label": label}
