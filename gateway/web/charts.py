"""Charts drawn on the server as SVG shapes: no chart library, no script, and the page's
Content-Security-Policy stays strict. Each chart also carries its numbers as a table,
so screen-reader users (and anyone copying figures) get the same information.

Incidents that matched several rules count once, under the first rule listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 48
MAX_SERIES = 5
OTHER = "other rules"
NO_RULE = "(no rule)"


@dataclass(frozen=True, slots=True)
class Shape:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    id: str
    title: str
    summary: str
    shapes: list[Shape] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    gridlines: list[Label] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return not self.rows


def week_start(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def recent_weeks(weeks: int, today: date | None = None) -> list[date]:
    today = today or datetime.now(UTC).date()
    this_week = today - timedelta(days=today.weekday())
    return [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return float(step * 4)
    return float(value)


def _y_axis(chart: Chart, top: float, suffix: str = "") -> None:
    plot = chart.height - TOP - BOTTOM
    for n in range(5):
        value = top * n / 4
        y = TOP + plot - plot * n / 4
        chart.gridlines.append(Label(LEFT - 6, y, f"{value:g}{suffix}", "end"))


def _labelled(i: int, weeks: list[date]) -> bool:
    """Every other week has an axis label, counted back from the last one, so the current
    week (the one people look for) always has one."""
    return (len(weeks) - 1 - i) % 2 == 0 or len(weeks) <= 8


def _week_name(week: date, weeks: list[date], short: bool = True) -> str:
    """The axis label and table cell of a week: the last of `weeks` is the current one."""
    if weeks and week == weeks[-1]:
        return "This week" if short else f"{week:%d %b %Y} (this week)"
    return f"{week:%d %b}" if short else f"{week:%d %b %Y}"


def _first_rule(rules: Sequence[str]) -> str:
    return rules[0] if rules else NO_RULE


def incidents_by_week(
    rows: Iterable[Any], weeks: list[date], title: Callable[[str], str] = str
) -> Chart:
    """Stacked bars: incidents per week, one colour per rule (the busiest five); `title`
    gives a rule's name as people read it (the rows carry rule names)."""
    counts: Counter[tuple[date, str]] = Counter()
    totals: Counter[str] = Counter()
    for row in rows:
        week = week_start(row.received_at)
        if week in weeks:
            rule = _first_rule(list(row.rules or []))
            counts[(week, rule)] += 1
            totals[rule] += 1
    series = [name for name, _ in totals.most_common(MAX_SERIES)]
    if len(totals) > MAX_SERIES:
        series.append(OTHER)

    def bucket(rule: str) -> str:
        return rule if rule in series else OTHER

    per_week: dict[date, Counter[str]] = {w: Counter() for w in weeks}
    for (week, rule), n in counts.items():
        per_week[week][bucket(rule)] += n
    chart = Chart(
        id="by-week",
        title="Incidents per week, by rule",
        summary=f"{sum(totals.values())} incidents in the last {len(weeks)} weeks",
        head=["Week starting", *(_series_name(s, title) for s in series), "Total"],
    )
    top = _nice_max(max((sum(c.values()) for c in per_week.values()), default=0) or 1)
    _y_axis(chart, top)
    plot_w = chart.width - LEFT - RIGHT
    plot_h = chart.height - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    for i, week in enumerate(weeks):
        x = LEFT + i * slot + slot * 0.15
        y = float(TOP + plot_h)
        for s, rule in enumerate(series):
            n = per_week[week][rule]
            if n:
                h = plot_h * n / top
                y -= h
                tip = f"Week of {week:%d %b}: {n} × {_series_name(rule, title)}"
                chart.shapes.append(Shape(x, y, slot * 0.7, h, f"series-{s}", tip))
        if _labelled(i, weeks):
            label = _week_name(week, weeks)
            chart.labels.append(Label(x + slot * 0.35, chart.height - BOTTOM + 16, label))
        if totals:
            chart.rows.append(
                [
                    _week_name(week, weeks, short=False),
                    *(str(per_week[week][r]) for r in series),
                    str(sum(per_week[week].values())),
                ]
            )
    chart.legend = [(f"series-{s}", _series_name(rule, title)) for s, rule in enumerate(series)]
    return chart


def _series_name(rule: str, title: Callable[[str], str]) -> str:
    return rule if rule in (OTHER, NO_RULE) else title(rule)


def top_senders(rows: Iterable[Any], limit: int = 10) -> Chart:
    """Horizontal bars: the senders with the most incidents."""
    counts = Counter(str(row.mail_from or "(no sender)") for row in rows)
    ranked = counts.most_common(limit)
    height = TOP + 8 + 24 * max(len(ranked), 1) + 8
    chart = Chart(
        id="top-senders",
        title="Senders with the most incidents",
        summary=f"{len(counts)} senders had incidents",
        head=["Sender", "Incidents"],
        height=height,
    )
    label_w = 250
    plot_w = chart.width - label_w - RIGHT - 40
    top = max((n for _, n in ranked), default=1)
    for i, (sender, n) in enumerate(ranked):
        y = TOP + 8 + i * 24
        w = plot_w * n / top
        chart.labels.append(Label(label_w - 8, y + 15, _shorten(sender, 36), "end"))
        chart.shapes.append(Shape(label_w, y + 3, w, 16, "series-0", f"{sender}: {n}"))
        chart.labels.append(Label(label_w + w + 6, y + 15, str(n), "start"))
        chart.rows.append([sender, str(n)])
    return chart


def override_rate(rows: Iterable[Any], overridden: set[str], weeks: list[date]) -> Chart:
    """Per week: of the messages held for the sender to confirm, how many they sent anyway."""
    held: Counter[date] = Counter()
    sent: Counter[date] = Counter()
    for row in rows:
        if row.action != "confirm":
            continue
        week = week_start(row.received_at)
        if week in weeks:
            held[week] += 1
            sent[week] += row.id in overridden
    total_held, total_sent = sum(held.values()), sum(sent.values())
    rate = f"{100 * total_sent / total_held:.0f}%" if total_held else "no"
    chart = Chart(
        id="override-rate",
        title='Override rate: "Send anyway" after a warning',
        summary=f"{rate} overrides ({total_sent} of {total_held} warnings)",
        head=["Week starting", "Warnings", "Sent anyway", "Rate"],
    )
    _y_axis(chart, 100, "%")
    plot_w = chart.width - LEFT - RIGHT
    plot_h = chart.height - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    for i, week in enumerate(weeks):
        x = LEFT + i * slot + slot * 0.15
        share = sent[week] / held[week] if held[week] else 0.0
        h = plot_h * share
        title = f"Week of {week:%d %b}: {sent[week]} of {held[week]} sent anyway"
        if held[week]:
            chart.shapes.append(Shape(x, TOP + plot_h - h, slot * 0.7, h, "series-1", title))
        if _labelled(i, weeks):
            label = _week_name(week, weeks)
            chart.labels.append(Label(x + slot * 0.35, chart.height - BOTTOM + 16, label))
        if total_held:
            chart.rows.append(
                [
                    _week_name(week, weeks, short=False),
                    str(held[week]),
                    str(sent[week]),
                    f"{100 * share:.0f}%",
                ]
            )
    return chart


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
