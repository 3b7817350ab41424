"""Reads of the rulebooks (bộ quy tắc): which one governs a case, the rule for a step,
deadlines, who is responsible for a stage, and the support a person is entitled to.

Every figure and citation lives in the database (rulebooks.models), none in this module.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import InvalidInput
from places.models import VIETNAM_TZ, Province

from .models import (
    Beneficiary,
    LegalBasis,
    ReportingDeadline,
    Rulebook,
    RuleStep,
    ServiceEligibility,
    SupportServiceKind,
)


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("A rulebook moment must be timezone-aware.")
    return moment


def rulebook_code(rulebook: Rulebook | str) -> str:
    return rulebook.code if isinstance(rulebook, Rulebook) else rulebook


def rulebook_for(received_at: datetime) -> Rulebook:
    """The rulebook governing a case received at that moment, by its Vietnam date.

    qcph-2548 for receptions until 2025-06-30, law-2024 from 2025-07-01 (as in the data).
    """
    day = _aware(received_at).astimezone(VIETNAM_TZ).date()
    rulebook = (
        Rulebook.objects.filter(effective_from__lte=day)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        .first()
    )
    if rulebook is None:
        raise InvalidInput(
            _("No rulebook governs a case received on %(day)s.") % {"day": day}, "no_rulebook"
        )
    return rulebook


# Rulebooks change by data migration or an administrator's edit, a few times a decade, and take
# effect from a date: the one governing a day is remembered this long (a query per intake less);
# this process forgets them at once when one is saved (other processes within the minute).
RULEBOOK_MEMORY_SECONDS = 60.0
_remembered: dict[date, tuple[float, Rulebook]] = {}


@receiver(post_save, sender=Rulebook, dispatch_uid="rulebooks.forget_rulebooks")
@receiver(post_delete, sender=Rulebook, dispatch_uid="rulebooks.forget_rulebooks_deleted")
def forget_rulebooks(**kwargs) -> None:
    """A rulebook saved or deleted in this process is seen by the next reader at once."""
    _remembered.clear()


def remembered_rulebook_for(received_at: datetime) -> Rulebook:
    """rulebook_for, remembered per Vietnam day for RULEBOOK_MEMORY_SECONDS: for the intake,
    which asks it once per report."""
    day = _aware(received_at).astimezone(VIETNAM_TZ).date()
    expires, rulebook = _remembered.get(day, (0.0, None))
    if rulebook is None or expires < time.monotonic():
        rulebook = rulebook_for(received_at)
        _remembered[day] = (time.monotonic() + RULEBOOK_MEMORY_SECONDS, rulebook)
    return rulebook


def _versions_in_force(rulebook, steps: Iterable[str], at) -> QuerySet[RuleStep]:
    """Every version of the steps' rules that took effect by `at` under the rulebook (a code
    and a moment, or columns of an outer query): the one in force is each step's latest."""
    return RuleStep.objects.filter(rulebook_id=rulebook, step__in=steps, effective_from__lte=at)


def rule_for(rulebook: Rulebook | str, step: str, at: datetime | None = None) -> RuleStep:
    """The version of the step's rule in force at `at` (default: now)."""
    at = timezone.now() if at is None else _aware(at)
    rule = _versions_in_force(rulebook_code(rulebook), [step], at).order_by("-version").first()
    if rule is None:
        raise InvalidInput(
            _("The rulebook %(rulebook)s has no rule for the step %(step)s at that time.")
            % {"rulebook": rulebook_code(rulebook), "step": step},
            "no_rule",
        )
    return rule


def deadline_for(rulebook: Rulebook | str, step: str, start: datetime) -> tuple[datetime, RuleStep]:
    """When a step that started at `start` is due, and the rule version that says so.

    The rule is the version in force when the step started, so a deadline never moves when a
    rule changes later; keep the returned rule beside the deadline to show which rule set it.
    """
    rule = rule_for(rulebook, step, at=start)
    return start + rule.deadline, rule


def _beneficiary(*, identified: bool, accompanying_minor: bool, abroad: bool) -> str:
    if identified:
        return (
            Beneficiary.ACCOMPANYING_MINOR if accompanying_minor else Beneficiary.IDENTIFIED_VICTIM
        )
    if abroad:
        return Beneficiary.BEING_IDENTIFIED_ABROAD
    return Beneficiary.BEING_IDENTIFIED_IN_VIET_NAM


def eligible_services(
    rulebook: Rulebook | str, *, identified: bool, accompanying_minor: bool, abroad: bool
) -> list[str]:
    """Support services (SupportServiceKind values, in the law's order) the person may receive.

    `identified`: the victim has been identified (xác định là nạn nhân), otherwise the person
    is in the process of being identified; `accompanying_minor`: a person under 18 going with
    the victim, entitled as their status allows; `abroad`: the person is outside Viet Nam.
    """
    beneficiary = _beneficiary(
        identified=identified, accompanying_minor=accompanying_minor, abroad=abroad
    )
    allowed = set(
        ServiceEligibility.objects.filter(
            rulebook_id=rulebook_code(rulebook), beneficiary=beneficiary
        ).values_list("service", flat=True)
    )
    return [service for service in SupportServiceKind.values if service in allowed]


# Completing a stage is due within the rulebook step named here, counted from reception.
STAGE_DEADLINE_STEPS = {"verification": "initial_reception_verification"}


def referral_kinds(rulebook: Rulebook | str, at: datetime | None = None) -> list[str]:
    """The agency kinds the rulebook makes responsible for one of its steps (the rules in
    force at `at`, default now): the kinds a case may be referred to, in first-named order."""
    at = timezone.now() if at is None else _aware(at)
    rules = RuleStep.objects.filter(rulebook_id=rulebook_code(rulebook), effective_from__lte=at)
    current: dict[str, list[str]] = {}
    for step, kinds in rules.order_by("step", "version").values_list("step", "responsible_kinds"):
        current[step] = kinds  # the latest version of each step wins
    return list(dict.fromkeys(kind for kinds in current.values() for kind in kinds))


def responsible_kinds_for_stage(rulebook: str, stage: str) -> list[str]:
    """Agency kinds that move a case on from this stage under the case's rulebook."""
    return list(rule_for(rulebook, stage).responsible_kinds)


@dataclass(frozen=True)
class StageDeadline:
    due_at: datetime
    citation: str


class StageRule(NamedTuple):
    """A version of the rule for a stage deadline's step, as stage_deadline_rules reads it."""

    step: str
    version: int
    deadline: timedelta
    citation: str


def stage_deadline_rules(rulebook, received_at) -> QuerySet[RuleStep]:
    """The versions of the stage deadlines' rules that took effect by a case's reception
    under its rulebook (columns of an outer query that reads the case): read with the case's
    other records, they spare the timeline a query of its own (issue 15); stage_deadlines
    picks from them as it picks alone."""
    return _versions_in_force(rulebook, STAGE_DEADLINE_STEPS.values(), received_at)


def stage_deadlines(case, rules: Iterable[StageRule] | None = None) -> dict[str, StageDeadline]:
    """Deadlines for completing each stage that has one, as set when the case was received.

    `rules`: the versions stage_deadline_rules read for the case, if read already."""
    if rules is not None:
        in_force = {}
        for rule in sorted(rules, key=attrgetter("version")):  # the latest version wins
            in_force[rule.step] = rule
        if set(STAGE_DEADLINE_STEPS.values()) <= in_force.keys():
            return {
                stage: StageDeadline(
                    case.received_at + in_force[step].deadline, in_force[step].citation
                )
                for stage, step in STAGE_DEADLINE_STEPS.items()
            }
        # A step without a rule in force: read below, refused as rule_for refuses it.
    deadlines = {}
    for stage, step in STAGE_DEADLINE_STEPS.items():
        due_at, rule = deadline_for(case.rulebook, step, case.received_at)
        deadlines[stage] = StageDeadline(due_at, rule.citation)
    return deadlines


def legal_basis_by_code(code: str) -> LegalBasis:
    """One basis of the closed list of legal bases to share without consent."""
    return LegalBasis.objects.get(code=code, is_active=True)


def province_lineage(province: Province) -> list[str]:
    """The province's code, then those of the provinces merged into it: a plan a province
    made before a merger still binds the units of the province it became, until it makes its
    own."""
    return [province.pk, *province.merged_from.order_by("code").values_list("pk", flat=True)]


def reporting_deadlines(province: Province | None) -> dict[str, ReportingDeadline]:
    """Part of the year ("Q1", "H1", "" for the year...) → the day its report is due, for
    reports within the province: its own plan's days if it (or a province merged into it) set
    them, else the national schedule. None: the national schedule."""
    lineage = province_lineage(province) if province else []
    rows = ReportingDeadline.objects.filter(Q(province__isnull=True) | Q(province_id__in=lineage))
    by_source: dict[str | None, dict[str, ReportingDeadline]] = {}
    for row in rows:
        by_source.setdefault(row.province_id, {})[row.part] = row
    source = next((code for code in lineage if code in by_source), None)
    return by_source.get(source, {})
