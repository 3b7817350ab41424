"""A case's stages and handoffs as a Gantt chart, laid out on the server for an inline SVG.

Only positions, colours and tooltips are computed here; the template draws them. No script
and no external resource is needed to show it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseState
from places.models import VIETNAM_TZ
from referrals.models import Referral

WIDTH, LABEL_WIDTH, ROW_HEIGHT, TOP = 960, 260, 26, 30
STAGE, WAITING, LATE, HELD, ENDED = "#0b6e4f", "#9aa5ad", "#b3261e", "#5fa88c", "#d5d9dc"


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    fill: str
    title: str


@dataclass(frozen=True)
class Mark:
    x: float
    kind: str  # "deadline" or "escalation"
    title: str


@dataclass
class Row:
    label: str
    y: float = 0
    bars: list[Bar] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    rows: list[Row]
    ticks: list[tuple[float, str]]
    now_x: float


class _Scale:
    def __init__(self, moments: list[datetime]):
        self.start = min(moments)
        self.span = max(max(moments) - self.start, timedelta(hours=1)).total_seconds()

    def x(self, moment: datetime) -> float:
        share = (moment - self.start).total_seconds() / self.span
        return round(LABEL_WIDTH + share * (WIDTH - LABEL_WIDTH - 10), 1)

    def bar(self, start: datetime, end: datetime, fill: str, title: str) -> Bar:
        return Bar(self.x(start), max(self.x(end) - self.x(start), 2), fill, title)


def _when(moment: datetime) -> str:
    return formats.date_format(moment.astimezone(VIETNAM_TZ), "SHORT_DATETIME_FORMAT")


def _stage_spans(case: Case, now: datetime) -> list[tuple[str, datetime, datetime]]:
    starts = [(CaseState.INTAKE.label, case.received_at)] + [
        (CaseState(change.target).label, change.at)
        for change in case.state_changes.order_by("at", "id")
    ]
    ends = [at for _label, at in starts[1:]] + [now]
    return [
        (str(label), start, end)
        for (label, start), end in zip(starts, ends, strict=True)
        if label != CaseState.CLOSED.label
    ]


def _waiting_end(referral: Referral, now: datetime) -> datetime:
    return referral.accepted_at or referral.rejected_at or referral.withdrawn_at or now


def _referral_row(referral: Referral, scale: _Scale, now: datetime) -> Row:
    # Unit names, as people know them; codes are for machines. The sender is in the tooltip.
    target = referral.to_unit.name if referral.to_unit else referral.get_to_kind_display()
    row = Row(f"{referral.get_purpose_display()} → {target}")
    waiting = _("Waiting for acceptance")
    waited_until = _waiting_end(referral, now)
    row.bars.append(
        scale.bar(
            referral.sent_at,
            min(waited_until, referral.due_at),
            WAITING,
            f"{referral.from_unit.name} → {target}: {waiting}",
        )
    )
    if waited_until > referral.due_at:
        row.bars.append(scale.bar(referral.due_at, waited_until, LATE, _("Past the deadline")))
    if referral.accepted_at:
        held_until = referral.completed_at or referral.withdrawn_at or now
        row.bars.append(scale.bar(referral.accepted_at, held_until, HELD, _("Accepted")))
    elif referral.rejected_at or referral.withdrawn_at:
        row.bars.append(scale.bar(waited_until, waited_until, ENDED, referral.get_status_display()))
    row.marks.append(
        Mark(
            scale.x(referral.due_at),
            "deadline",
            _("Due %(due)s (%(citation)s)")
            % {"due": _when(referral.due_at), "citation": referral.rule.citation},
        )
    )
    row.marks += [
        Mark(
            scale.x(e.created_at),
            "escalation",
            _("Escalated to %(level)s on %(at)s")
            % {"level": e.get_level_display(), "at": _when(e.created_at)},
        )
        for e in referral.escalations.all()
    ]
    return row


def build_chart(case: Case, now: datetime | None = None) -> Chart:
    """Stages first, then one row per referral: waiting (grey, red past the deadline), held
    (green), the deadline as a line and each escalation as a diamond."""
    now = now or timezone.now()
    stages = _stage_spans(case, now)
    referrals = list(
        case.referrals.select_related("from_unit", "to_unit", "rule")
        .prefetch_related("escalations")
        .order_by("sent_at", "id")
    )
    moments = (
        [now, case.received_at] + [r.due_at for r in referrals] + [r.sent_at for r in referrals]
    )
    scale = _Scale(moments)
    rows = [
        Row(label, bars=[scale.bar(start, end, STAGE, f"{label}: {_when(start)}")])
        for label, start, end in stages
    ] + [_referral_row(referral, scale, now) for referral in referrals]
    for index, row in enumerate(rows):
        row.y = TOP + index * ROW_HEIGHT
    ticks = [
        (scale.x(moment), formats.date_format(moment.astimezone(VIETNAM_TZ), "SHORT_DATE_FORMAT"))
        for moment in (scale.start + timedelta(seconds=scale.span * step / 5) for step in range(6))
    ]
    height = TOP + len(rows) * ROW_HEIGHT + 10
    return Chart(WIDTH, height, LABEL_WIDTH, rows, ticks, scale.x(now))
