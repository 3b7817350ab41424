"""The case timeline (dòng thời gian), built in one place from the case and its handoffs.

Every step of a case in time order: intakes, records, stage changes, referrals and their
escalations, each with the unit and user and, where a rule sets a deadline, the deadline,
its legal source and whether it was met (and by how much it was missed).

The records without encrypted fields, the referrals' escalations, whether the case crossed a
border and the rules of its stage deadlines are read in one UNION query: a query per kind of
record made the timeline 20 queries and ~7× the cheapest signed-in read at 100,000 cases
(issue 15). Its cost does not grow with the number of events.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import (
    BigIntegerField,
    CharField,
    DateTimeField,
    DurationField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from agencies.models import User
from cases.models import (
    Case,
    Identification,
    Intake,
    ProtectionMeasure,
    Screening,
    StateChange,
    SupportService,
    Verification,
)
from cases.visibility import CaseView
from config.sql import CompiledRead, Slot
from crossborder.models import BorderHandover, CrossBorderRequest
from crossborder.selectors import crossborder_events
from referrals.models import Escalation, Referral, ReferralStatus
from rulebooks.selectors import StageRule, stage_deadline_rules, stage_deadlines
from security.fields import record_of_row, unless_erased
from security.models import DataKey, EncryptedModel

# The kinds of the UNION's rows, in the order the timeline lists events of the same moment.
_RECORD_KINDS = ("intake", "screening", "verification", "identification", "protection", "service")
_ESCALATION = "escalation"
_STAGE_RULE = "stage_rule"  # a version of the rule that sets a stage's deadline
_CROSSED_BORDER = "crossed_border"  # a cross-border request or handover exists: read them


def case_timeline(case: Case, view: CaseView) -> list[dict]:
    """Every step of a case in time order: intakes, records, stage changes, handoffs and
    cooperation across the border.

    Medical and psychological services, and referrals for them, appear only to those who may
    see such records (cases.visibility).
    """
    rows = _defaultdict_by_kind(_RECORDS.rows(case=case.pk))
    rules = (
        StageRule(r["label"], r["rule_version"], r["span"], r["cited"]) for r in rows[_STAGE_RULE]
    )
    deadlines = stage_deadlines(case, rules)
    keys = _data_keys(case)
    events = _stage_changes(_STAGE_CHANGES.rows(case=case.pk), keys, deadlines) + _records(
        rows, view
    )
    events += _open_stage_deadline(case, deadlines)
    shown = [
        r
        for r in _referrals(case, keys)
        if view.shows_service(r["purpose"], r["from_unit_id"], r["to_unit_id"])
    ]
    escalations = ((r["of_referral"], r["moment"], r["label"]) for r in rows[_ESCALATION])
    events += _events_of(shown, _escalations(escalations))
    if rows[_CROSSED_BORDER]:
        events += crossborder_events(case)
    return sorted(events, key=lambda e: (e["at"] is None, e["at"] or 0))


class _DataKeys(dict):
    """The data keys of a case's records by id: the case's own, read with the case, and any
    other one read when first asked for (never a join of the key on every row)."""

    def __missing__(self, key_id: uuid.UUID) -> DataKey:
        self[key_id] = DataKey.objects.get(pk=key_id)
        return self[key_id]


def _data_keys(case: Case) -> _DataKeys:
    return _DataKeys({case.data_key_id: case.data_key})


def _decrypted(model: type[EncryptedModel], row: dict, name: str, keys: _DataKeys):
    """The encrypted field `name` of a row read with values() (with the record's id, uuid and
    data_key_id), or None when the record's data key was destroyed (unless_erased)."""
    return unless_erased(record_of_row(model, row, keys[row["data_key_id"]]), name)


def _stage_changes(rows: list[dict], keys: _DataKeys, deadlines: dict) -> list[dict]:
    """Each move of the stage; leaving a stage that has a deadline says whether it was met."""
    events = []
    for change in rows:
        entry = {
            "at": change["at"],
            "kind": "transition",
            "what": change["transition"],
            "unit": change["unit_code"],
            "user": change["username"],
            "source": change["source"],
            "target": change["target"],
            "reason": _decrypted(StateChange, change, "reason", keys),
        }
        if deadline := deadlines.get(change["source"]):
            met = change["at"] <= deadline.due_at
            entry.update(due_at=deadline.due_at, citation=deadline.citation, met=met)
        events.append(entry)
    return events


def _typed_null(field) -> Cast:
    """NULL of a column's type: PostgreSQL must agree on each column's type across a UNION."""
    return Cast(Value(None), field)


def _rows(queryset: QuerySet, kind: str, *, at="", what="", unit="", user="", **extra) -> QuerySet:
    """One branch of the UNION: the same columns, in the same order, for every kind."""
    text, moment, number, span = CharField(), DateTimeField(), IntegerField(), DurationField()
    columns = {  # named apart from every model's fields (values() refuses a clash)
        "record_kind": Value(kind, output_field=text),
        "row_id": F("pk"),
        "moment": F(at) if at else _typed_null(moment),
        "label": F(what) if what else _typed_null(text),
        "label_status": F(extra["status"]) if "status" in extra else _typed_null(text),
        "unit_code": F(unit) if unit else _typed_null(text),
        "username": F(user) if user else _typed_null(text),
        "until": F(extra["ends_at"]) if "ends_at" in extra else _typed_null(moment),
        "cited": F(extra["citation"]) if "citation" in extra else _typed_null(text),
        "provider": F(extra["provider"]) if "provider" in extra else _typed_null(number),
        "of_referral": F(extra["referral"]) if "referral" in extra else _typed_null(number),
        "rule_version": F(extra["version"]) if "version" in extra else _typed_null(number),
        "span": F(extra["span"]) if "span" in extra else _typed_null(span),
    }
    return queryset.order_by().values(**columns)


# Each branch of the UNION: the model, its path to the case, the kind of its rows, and which of
# its columns give when, what, the unit (code), the user (username) and the rest (_rows).
_BRANCHES = (
    (
        Intake,
        "case",
        "intake",
        {
            "at": "received_at",
            "what": "channel",
            "unit": "unit__code",
            "user": "received_by__username",
        },
    ),
    (
        Screening,
        "case",
        "screening",
        {"at": "screened_at", "what": "recommendation", "user": "screened_by__username"},
    ),
    (
        Verification,
        "case",
        "verification",
        {
            "at": "recorded_at",
            "what": "outcome",
            "unit": "unit__code",
            "user": "recorded_by__username",
        },
    ),
    (
        Identification,
        "case",
        "identification",
        {
            "at": "decided_at",
            "what": "document_type",
            "unit": "issuing_unit__code",
            "user": "recorded_by__username",
        },
    ),
    (
        ProtectionMeasure,
        "case",
        "protection",
        {
            "at": "starts_at",
            "what": "kind",
            "unit": "unit__code",
            "user": "decided_by__username",
            "ends_at": "ends_at",
            "citation": "limit_citation",
        },
    ),
    (
        SupportService,
        "case",
        "service",
        {
            "at": "requested_at",
            "what": "kind",
            "unit": "provider_unit__code",
            "user": "recorded_by__username",
            "status": "status",
            "provider": "provider_unit_id",
        },
    ),
    (
        Escalation,
        "referral__case",
        _ESCALATION,
        {"at": "created_at", "what": "level", "referral": "referral_id"},
    ),
    (CrossBorderRequest, "case", _CROSSED_BORDER, {}),
    (BorderHandover, "case", _CROSSED_BORDER, {}),
)


def _stage_rules() -> QuerySet:
    """The versions of the rules that may set the case's stage deadlines (rulebooks)."""
    of_case = Case.objects.filter(pk=_CASE)
    rulebook, received_at = (Subquery(of_case.values(name)) for name in ("rulebook", "received_at"))
    return stage_deadline_rules(rulebook, received_at)


def _union() -> QuerySet:
    """The case's records, the escalations of its referrals, whether it crossed a border and
    the rules of its stage deadlines, as one UNION, each kind's rows in the order written."""
    branches = [
        _rows(model.objects.filter(**{through: _CASE}), kind, **columns)
        for model, through, kind, columns in _BRANCHES
    ]
    rules = {"what": "step", "citation": "citation", "version": "version", "span": "deadline"}
    branches.append(_rows(_stage_rules(), _STAGE_RULE, **rules))
    return branches[0].union(*branches[1:], all=True).order_by("record_kind", "row_id")


# The case a timeline reads: each read below is compiled once per process and database
# (CompiledRead), the same SQL on every connection, and every timeline fills in its case.
# Compiled once per connection instead, each server thread paid ~15 ms of CPU on its first
# timeline, a spike on every thread of the server (issue 15).
_CASE = Slot("case", BigIntegerField())


def _defaultdict_by_kind(rows: list[dict]) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for row in rows:
        found[row["record_kind"]].append(row)
    return found


_RECORDS = CompiledRead(_union)
_STAGE_CHANGES = CompiledRead(
    lambda: (
        StateChange.objects.filter(case=_CASE)
        .order_by("at", "id")
        .values(
            "id",
            "uuid",
            "data_key_id",
            "at",
            "transition",
            "source",
            "target",
            "reason",
            unit_code=F("unit__code"),
            username=F("actor__username"),
        )
    )
)


def _records(rows: dict[str, list[dict]], view: CaseView) -> list[dict]:
    """The intakes and records of the case, each with when, what, which unit and who."""
    events = []
    for kind in _RECORD_KINDS:
        for row in rows[kind]:
            if kind == "service":
                if not view.shows_service(row["label"], row["provider"]):
                    continue
                what = f"{row['label']}:{row['label_status']}"
            else:
                what = row["label"]
            event = {
                "at": row["moment"],
                "kind": kind,
                "what": what,
                "unit": row["unit_code"],
                "user": row["username"],
            }
            if kind == "protection":
                event |= {"ends_at": row["until"], "citation": row["cited"]}
            events.append(event)
    return events


def _event(at, kind: str, what: str, unit, user) -> dict:
    return {
        "at": at,
        "kind": kind,
        "what": what,
        "unit": unit.code if unit else None,
        "user": user.username if user else None,
    }


def _open_stage_deadline(case: Case, deadlines: dict) -> list[dict]:
    """The deadline of the stage the case is in now, still running or already missed."""
    deadline = deadlines.get(case.state)
    if deadline is None:
        return []
    entry = _event(deadline.due_at, "deadline", case.state, None, None)
    entry.update(
        citation=deadline.citation, met=None if deadline.due_at > timezone.now() else False
    )
    return [entry]


def _late_by(at: datetime | None, due_at: datetime) -> int | None:
    return None if at is None else max(0, int((at - due_at).total_seconds()))


def _acceptance_met(referral: dict, now: datetime) -> bool | None:
    """Whether the referral was answered (accepted or rejected) by its deadline."""
    answered = referral["accepted_at"] or referral["rejected_at"]
    if answered:
        return answered <= referral["due_at"]
    if referral["status"] == ReferralStatus.SENT:
        return False if now > referral["due_at"] else None
    return None


def referral_events(case: Case) -> list[dict]:
    """Every handoff of the case and its escalations, with deadlines, citations, whether
    the deadline was met and by how much it was missed."""
    escalations = Escalation.objects.filter(referral__case=case).order_by("created_at", "id")
    rows = escalations.values_list("referral_id", "created_at", "level")
    return _events_of(_referrals(case, _data_keys(case)), _escalations(rows))


_PEOPLE = ("sent_by", "accepted_by", "rejected_by", "completed_by", "withdrawn_by")


def _username(column: str) -> Subquery:
    """The username of the user a referral's column names, as a scalar subquery (a lookup by
    primary key): joining the user table five times made PostgreSQL plan a nine-way join for
    every timeline, and a query of its own cost building it on every request (issue 15)."""
    return Subquery(User.objects.filter(pk=OuterRef(column)).values("username"))


_REFERRALS = CompiledRead(
    lambda: (
        Referral.objects.filter(case=_CASE)
        .order_by("pk")
        .values(
            "id",
            "uuid",
            "data_key_id",
            "purpose",
            "status",
            "due_at",
            "to_kind",
            "from_unit_id",
            "to_unit_id",
            "sent_at",
            "accepted_at",
            "rejected_at",
            "completed_at",
            "withdrawn_at",
            "reason",
            from_code=F("from_unit__code"),
            to_code=F("to_unit__code"),
            citation=F("rule__citation"),
            rule_is_default=F("rule__is_default"),
            **{f"{role}_name": _username(f"{role}_id") for role in _PEOPLE},
        )
    )
)


def _referrals(case: Case, keys: _DataKeys) -> list[dict]:
    """The case's referrals with their units, rule, reason and the people of each step (by
    role, their usernames)."""
    referrals = _REFERRALS.rows(case=case.pk)
    for referral in referrals:
        referral["reason"] = _decrypted(Referral, referral, "reason", keys)
    return referrals


def _escalations(rows: Iterable[tuple[int, datetime, str]]) -> dict[int, list[dict]]:
    """Escalations (referral id, when, level) by referral, in the order given."""
    by_referral = defaultdict(list)
    for referral_id, created_at, level in rows:
        by_referral[referral_id].append({"created_at": created_at, "level": level})
    return by_referral


def _events_of(referrals: list[dict], escalations: dict[int, list[dict]]) -> list[dict]:
    now = timezone.now()
    events = []
    for referral in referrals:
        events += _referral_events(referral, escalations.get(referral["id"], ()), now)
    return sorted(events, key=lambda event: event["at"])


def _referral_events(referral: dict, escalations, now: datetime) -> list[dict]:
    """The referral's sending, its answer, its end and its escalations."""
    base = {
        "referral": str(referral["uuid"]),
        "what": referral["purpose"],
        "due_at": referral["due_at"],
        "citation": referral["citation"],
        "rule_is_default": referral["rule_is_default"],
    }
    return [base | event for event in _handoff_steps(referral, now)] + [
        base | _escalation_step(referral, escalation) for escalation in escalations
    ]


def _handoff_steps(referral: dict, now: datetime) -> list[dict]:
    to, sender, due_at = referral["to_code"], referral["from_code"], referral["due_at"]
    sent_met = _acceptance_met(referral, now)
    waiting_late = sent_met is False and not referral["accepted_at"]
    steps = [
        {
            "at": referral["sent_at"],
            "kind": "referral_sent",
            "unit": sender,
            "user": referral["sent_by_name"],
            "to_unit": to,
            "to_kind": referral["to_kind"],
            "met": sent_met,
            "late_by_seconds": _late_by(now, due_at) if waiting_late else None,
        }
    ]
    # kind, when it happened, by whom, at which unit, answered against the deadline, reason
    reason = referral["reason"]
    later = [
        ("referral_accepted", "accepted", to, True, ""),
        ("referral_rejected", "rejected", to, True, reason),
        ("referral_completed", "completed", to, False, ""),
        ("referral_withdrawn", "withdrawn", sender, False, reason),
    ]
    for kind, step, unit, answer, said in later:
        if at := referral[f"{step}_at"]:
            steps.append(
                {
                    "at": at,
                    "kind": kind,
                    "unit": unit,
                    "user": referral[f"{step}_by_name"],
                    "met": at <= due_at if answer else None,
                    "late_by_seconds": _late_by(at, due_at) if answer else None,
                    "reason": said,
                }
            )
    return steps


def _escalation_step(referral: dict, escalation: dict) -> dict:
    return {
        "at": escalation["created_at"],
        "kind": "escalation",
        "level": escalation["level"],
        "unit": referral["to_code"] or referral["to_kind"],
        "user": None,
        "met": False,
        "late_by_seconds": _late_by(escalation["created_at"], referral["due_at"]),
    }
