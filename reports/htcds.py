"""The pseudonymised case-level export in IOM's Human Trafficking Case Data Standard (HTCDS) v2.0.

Field names and picklist values are those of "HTCDS Field Standards 2.0.ods" in IOM's
repository github.com/UNMigration/HTCDS (tables: Person prs_, Person Victim Context vic_,
Person Perpetrator Context per_, Case cas_, Historic Trafficking Events hte_). HTCDS has no
record identifier, so each table carries our `prs_PseudonymId` / `cas_PseudonymId`: random,
drawn afresh for every export (two exports cannot be joined on them), the same for one record
throughout one export (a victim's row joins its case and events).

Pseudonymised: no names, birth dates, ID numbers, phone numbers, addresses, case numbers or
free text ever enter a row; only what the statistics keep in clear (sex, age group, nationality,
purposes, destination country, the offender's role). The age is an age band, never years.

k-anonymity (`k`, as the Counter Trafficking Data Collaborative publishes with k = 11): the
age band is generalised to minor / adult, then every row whose quasi-identifiers occur fewer
than k times in its table is left out (with its case and events). The aggregates are counted
over every victim and follow the small-cell rule of reports.suppression instead.
"""

import secrets
from collections import Counter
from collections.abc import Iterable

from django.db.models import Q

from agencies.models import User
from cases.models import AgeGroup, Case, ClosureReason, Identification, Person, PersonRole
from cases.selectors import visible_cases
from proceedings.models import CriminalCase, Offender
from rulebooks.periods import Period, parse_period

from .proceedings import scope_for
from .suppression import shown, suppress_cells

STANDARD = "HTCDS 2.0"
SOURCE = "https://github.com/UNMigration/HTCDS (HTCDS Field Standards 2.0.ods)"

GENDER = {"female": "Feminine", "male": "Masculine", "other": "NonConforming"}
UNSPECIFIED_GENDER = "NonSpecifiedUnknown"
EXPLOITATION = {
    "sexual_exploitation": "SexualExploitation",
    "forced_labour": "ForcedLabour",
    "organ_removal": "OrganRemoval",
    "forced_marriage": "ForcedMarriage",
    "forced_childbirth": "Surrogacy",
    "forced_begging": "ForcedBegging",
    "forced_crime": "Other",
    "other_inhumane": "Other",
}
ROLE_IN_PROCESS = {
    "recruiter": "RecruiterOrIntermediary",
    "transporter": "Transporter",
    "exploiter": "Exploiter",
    "organiser": "Other",
    "other": "Other",
}
AGE_BANDS = {
    AgeGroup.UNDER_16: "0-15",
    AgeGroup.AGE_16_17: "16-17",
    AgeGroup.AGE_18_29: "18-29",
    AgeGroup.AGE_30_49: "30-49",
    AgeGroup.AGE_50_PLUS: "50+",
}
MINOR_BANDS = {AGE_BANDS[AgeGroup.UNDER_16], AGE_BANDS[AgeGroup.AGE_16_17]}
UNKNOWN = "Unknown"
VICTIM_QUASI_IDENTIFIERS = (
    "prs_Gender",
    "vic_AgeWhenTrafficked",
    "prs_Citizenship",
    "vic_TypeOfExploitation",
    "hte_Country",
)
PERPETRATOR_QUASI_IDENTIFIERS = ("prs_Gender", "prs_Citizenship", "per_RoleInProcess")
AGGREGATE_DIMENSIONS = (
    "prs_Gender",
    "vic_AgeWhenTrafficked",
    "vic_TypeOfExploitation",
    "hte_Country",
)


def htcds_dataset(user: User, period: str, k: int | None = None) -> dict:
    """The export's tables for the cases `user` may see that were received in `period`."""
    parsed = parse_period(period)
    cases = list(_cases(user, parsed))
    pseudonyms = _Pseudonyms()
    victims = _victims(cases, pseudonyms)
    perpetrators = _perpetrators(user, parsed, [c.pk for c in cases], pseudonyms)
    aggregates = _aggregates(victims)
    if k:
        victims = [row | {"vic_AgeWhenTrafficked": _broad(row)} for row in victims]
        victims = k_anonymous(victims, VICTIM_QUASI_IDENTIFIERS, k)
        perpetrators = k_anonymous(perpetrators, PERPETRATOR_QUASI_IDENTIFIERS, k)
    kept = {row["cas_PseudonymId"] for row in victims}
    return {
        "standard": STANDARD,
        "source": SOURCE,
        "period": parsed.code,
        "k": k,
        "cases": [row for row in _case_rows(cases, pseudonyms) if row["cas_PseudonymId"] in kept],
        "victims": [{q: v for q, v in row.items() if q != "hte_Country"} for row in victims],
        "perpetrators": perpetrators,
        "events": [
            {"cas_PseudonymId": row["cas_PseudonymId"], "hte_Type": "Exploitation"}
            | {"hte_Country": row["hte_Country"]}
            for row in victims
        ],
        "aggregates": aggregates,
    }


def row_counts(dataset: dict) -> dict[str, int]:
    return {table: len(dataset[table]) for table in ("cases", "victims", "perpetrators")}


def k_anonymous(rows: list[dict], quasi_identifiers: Iterable[str], k: int) -> list[dict]:
    """The rows whose combination of quasi-identifiers occurs at least k times."""
    keys = tuple(quasi_identifiers)
    counts = Counter(tuple(row[q] for q in keys) for row in rows)
    return [row for row in rows if counts[tuple(row[q] for q in keys)] >= k]


class _Pseudonyms:
    """Random identifiers for one export, the same for a record wherever it appears."""

    def __init__(self) -> None:
        self._given: dict[tuple[str, int], str] = {}

    def of(self, prefix: str, pk: int) -> str:
        key = (prefix, pk)
        if key not in self._given:
            self._given[key] = f"{prefix}-{secrets.token_hex(8)}"
        return self._given[key]


def _within(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_at})


def _cases(user: User, period: Period):
    return (
        visible_cases(user)
        .filter(_within("received_at", period))
        .only("pk", "state", "closure_reason", "purposes", "destination_country")
        .order_by("received_at", "pk")
    )


def _victims(cases: list[Case], pseudonyms: _Pseudonyms) -> list[dict]:
    people = Person.objects.filter(case__in=cases, role=PersonRole.VICTIM).order_by("pk")
    victim: dict[int, tuple] = {}
    for row in people.values_list("case_id", "pk", "sex", "age_group", "nationality"):
        victim.setdefault(row[0], row[1:])
    status = _trafficking_status([c.pk for c in cases])
    rows = []
    for case in cases:
        if case.pk not in victim:
            continue
        person, sex, age_group, nationality = victim[case.pk]
        rows.append(
            {
                "prs_PseudonymId": pseudonyms.of("V", person),
                "cas_PseudonymId": pseudonyms.of("C", case.pk),
                "prs_Gender": GENDER.get(sex, UNSPECIFIED_GENDER),
                "prs_Citizenship": nationality or UNKNOWN,
                "vic_AgeWhenTrafficked": AGE_BANDS.get(age_group, UNKNOWN),
                "vic_TraffickingStatus": status.get(case.pk, "PossibleVictimOfTrafficking"),
                "vic_TypeOfExploitation": ";".join(
                    sorted({EXPLOITATION.get(p, "Other") for p in case.purposes or []})
                )
                or UNKNOWN,
                "hte_Country": case.destination_country or UNKNOWN,
            }
        )
    return rows


def _broad(victim: dict) -> str:
    """The age band generalised for k-anonymity: a child or an adult."""
    band = victim["vic_AgeWhenTrafficked"]
    if band == UNKNOWN:
        return band
    return "0-17" if band in MINOR_BANDS else "18+"


def _trafficking_status(case_ids: list[int]) -> dict[int, str]:
    """The latest identification decision of each case (HTCDS vic_TraffickingStatus)."""
    latest: dict[int, bool] = {}
    decisions = Identification.objects.filter(case_id__in=case_ids).order_by("decided_at", "pk")
    for case_id, is_victim in decisions.values_list("case_id", "is_victim"):
        latest[case_id] = is_victim
    closed_not_victim = set(
        Case.objects.filter(pk__in=case_ids, closure_reason=ClosureReason.NOT_A_VICTIM).values_list(
            "pk", flat=True
        )
    )
    status = {
        case_id: "ActualVictimOfTrafficking" if is_victim else "NotAVictimOfTrafficking"
        for case_id, is_victim in latest.items()
    }
    return status | dict.fromkeys(closed_not_victim, "NotAVictimOfTrafficking")


def _case_rows(cases: list[Case], pseudonyms: _Pseudonyms) -> list[dict]:
    return [
        {
            "cas_PseudonymId": pseudonyms.of("C", case.pk),
            "cas_Status": "Closed" if case.state == "closed" else "Active",
            "cas_ReasonForCaseClosure": case.closure_reason or "",
        }
        for case in cases
    ]


def _perpetrators(
    user: User, period: Period, case_ids: list[int], pseudonyms: _Pseudonyms
) -> list[dict]:
    """Offenders of the criminal cases in the user's scope opened in the period or linked to
    the exported victims' cases: their role, sex and nationality, never who they are."""
    criminal_cases = CriminalCase.objects.filter(scope_for(user).cases).filter(
        _within("opened_at", period) | Q(victim_cases__in=case_ids)
    )
    links: dict[int, set[int]] = {}
    for cc, case in criminal_cases.values_list("pk", "victim_cases"):
        links.setdefault(cc, set())
        if case in case_ids:
            links[cc].add(case)
    offenders = Offender.objects.filter(criminal_case__in=list(links)).order_by("pk")
    return [
        {
            "prs_PseudonymId": pseudonyms.of("O", pk),
            "cas_PseudonymId": ";".join(
                sorted(pseudonyms.of("C", case) for case in links[criminal_case])
            ),
            "prs_Gender": GENDER.get(sex, UNSPECIFIED_GENDER),
            "prs_Citizenship": nationality or UNKNOWN,
            "per_RoleInProcess": ROLE_IN_PROCESS.get(role, "Other"),
        }
        for pk, criminal_case, sex, nationality, role in offenders.values_list(
            "pk", "criminal_case_id", "sex", "nationality", "role"
        )
    ]


def _aggregates(victims: list[dict]) -> list[dict]:
    """Counts of victims by each HTCDS field, every cell under 3 suppressed."""
    rows = []
    total = len(victims)
    for field in AGGREGATE_DIMENSIONS:
        counts = Counter(value for row in victims for value in row[field].split(";"))
        values = [{"field": field, "value": v, "count": n} for v, n in sorted(counts.items())]
        suppress_cells(values, total_hidden=shown(total) != total)
        rows += values
    return [{"field": "Total", "value": "", "count": shown(total)}, *rows]
