"""The reports' figures: counted right, and drawn to scale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gateway.web import charts
from gateway.web.incident_store import Activity

WEEKS = charts.recent_weeks(4, today=date(2026, 3, 12))  # a Thursday


def _row(
    n: int, day: int, rules: list[str], sender: str = "a@school.example", action: str = "quarantine"
) -> Activity:
    return Activity(f"{n:026d}", datetime(2026, 3, day, 9, tzinfo=UTC), rules, sender, action)


def test_weeks_start_on_monday_and_end_with_this_one():
    weeks = charts.recent_weeks(4, today=date(2026, 3, 12))
    assert weeks == [date(2026, 2, 16), date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]


def test_incidents_per_week_count_each_incident_once_under_its_first_rule():
    rows = [
        _row(1, 2, ["names", "sensitive"]),  # week of 2 March, counted under "names" only
        _row(2, 3, ["sensitive"]),
        _row(3, 10, ["names"]),  # week of 9 March
        _row(4, 10, []),  # a rule-less verdict still counts
    ]
    chart = charts.incidents_by_week(rows, WEEKS)
    assert chart.head == ["Week starting", "names", "sensitive", "(no rule)", "Total"]
    assert chart.rows[-2:] == [
        ["02 Mar 2026", "1", "1", "0", "2"],
        ["09 Mar 2026 (this week)", "1", "0", "1", "2"],
    ]
    assert len(chart.shapes) == 4
    # bars are drawn to scale: two of one height stacked make one bar of twice it
    heights = {s.title: s.height for s in chart.shapes}
    assert len(set(heights.values())) == 1


def test_more_than_five_rules_fold_into_other():
    rows = [_row(n, 10, [f"rule-{n % 7}"]) for n in range(7 * 3)]
    chart = charts.incidents_by_week(rows, WEEKS)
    assert chart.head[-2] == charts.OTHER
    assert len(chart.legend) == charts.MAX_SERIES + 1
    assert chart.rows[-1][-1] == "21"


def test_top_senders_are_ranked():
    rows = [_row(1, 2, ["x"], "b@school.example")] + [
        _row(n, 3, ["x"], "a@school.example") for n in range(2, 5)
    ]
    chart = charts.top_senders(rows)
    assert chart.rows == [["a@school.example", "3"], ["b@school.example", "1"]]
    assert chart.shapes[0].width == pytest.approx(3 * chart.shapes[1].width)


def test_override_rate_is_per_warning():
    rows = [
        _row(1, 2, ["x"], action="confirm"),
        _row(2, 3, ["x"], action="confirm"),
        _row(3, 3, ["x"], action="quarantine"),  # not a warning: no "Send anyway" possible
        _row(4, 10, ["x"], action="confirm"),
    ]
    chart = charts.override_rate(rows, {f"{1:026d}", f"{4:026d}"}, WEEKS)
    assert chart.summary == "67% overrides (2 of 3 warnings)"
    assert chart.rows[-2:] == [
        ["02 Mar 2026", "2", "1", "50%"],
        ["09 Mar 2026 (this week)", "1", "1", "100%"],
    ]


def test_no_incidents_draw_nothing():
    for chart in (
        charts.incidents_by_week([], WEEKS),
        charts.top_senders([]),
        charts.override_rate([], set(), WEEKS),
    ):
        assert chart.empty and chart.shapes == []


def test_the_current_week_is_labelled_and_rules_read_as_titles():
    weeks = charts.recent_weeks(12, today=date(2026, 3, 12))
    rows = [_row(1, 10, ["names"]), _row(2, 2, ["names"])]
    titles = {"names": "Pupil's full name going outside school"}
    for chart in (
        charts.incidents_by_week(rows, weeks, titles.__getitem__),
        charts.override_rate(rows, set(), weeks),
    ):
        labels = [label.text for label in chart.labels if label.anchor == "middle"]
        assert labels[-1] == "This week", chart.id  # every other week, ending with this one
        assert len(labels) == 6
    chart = charts.incidents_by_week(rows, weeks, titles.__getitem__)
    assert chart.head[1] == "Pupil's full name going outside school"
    assert chart.legend == [("series-0", "Pupil's full name going outside school")]
    assert chart.rows[-1][0] == "09 Mar 2026 (this week)"
