"""Bar charts of a rate over periods, laid out here and drawn as SVG by a template
(web/dashboard_chart.html): no JavaScript, nothing fetched from elsewhere. The page shows
the same figures in a table beside each chart for people who do not see it.

Coordinates are whole pixels of the viewBox: a template would write a float the Vietnamese
way (with a decimal comma), which is not SVG."""

from dataclasses import dataclass

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 36  # room for the axis labels
TICKS = (0, 50, 100)


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str  # the period under the bar
    percent: float | None  # the rate above it; None when there was nothing to count
    status: str  # met, not_met, no_reports, no_baseline: the bar's colour
    label_x: int


@dataclass(frozen=True)
class Tick:
    y: int
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    baseline: int  # y of 0%
    bars: list[Bar]
    ticks: list[Tick]
    goal_y: int | None  # y of the target's line; None when the goal is not a fixed rate
    label_y: int


def _y(percent: float) -> int:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + plot * (1 - min(max(percent, 0), 100) / 100))


def bar_chart(points: list[tuple[str, float | None, str]], goal: float | None) -> Chart:
    """points: (period label, achieved percent or None, status), oldest first."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    baseline = _y(0)
    bars = []
    for index, (label, percent, status) in enumerate(points):
        x = round(LEFT + slot * (index + 0.2))
        top = _y(percent or 0)
        bars.append(
            Bar(
                x,
                top,
                round(slot * 0.6),
                baseline - top,
                label,
                percent,
                status,
                round(x + slot * 0.3),
            )
        )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        baseline=baseline,
        bars=bars,
        ticks=[Tick(_y(t), f"{t}%") for t in TICKS],
        goal_y=None if goal is None else _y(goal),
        label_y=HEIGHT - BOTTOM + 16,
    )
