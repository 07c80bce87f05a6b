"""Unit tests of the stats rules: ranges, equal growth windows, local hours, folding into other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracking.domain import analytics
from tracking.domain.intervals import Span
from tracking.errors import BadRequest

TODAY = date(2026, 11, 23)


def test_a_range_defaults_to_the_days_up_to_today_and_includes_its_end() -> None:
    assert analytics.date_range(None, None, today=TODAY, default_days=30) == (date(2026, 10, 25), TODAY)
    assert analytics.date_range(TODAY, TODAY, today=TODAY, default_days=30) == (TODAY, TODAY)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(TODAY, TODAY - timedelta(days=1), "startDate"), (TODAY - timedelta(days=366), TODAY, "endDate")],
)
def test_a_bad_range_names_its_field(start: date, end: date, field: str) -> None:
    with pytest.raises(BadRequest) as raised:
        analytics.date_range(start, end, today=TODAY, default_days=30)
    assert [error["field"] for error in raised.value.errors or []] == [field]


def test_growth_windows_are_equal_and_adjacent() -> None:
    current, previous = analytics.equal_windows(7, TODAY)
    assert (len(current), len(previous), current[-1], previous[-1] + timedelta(days=1)) == (7, 7, TODAY, current[0])


def test_local_hours_of_spans_are_exact_in_a_half_hour_zone() -> None:
    zone = ZoneInfo("Asia/Kolkata")  # UTC+05:30
    start = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 09:30 local
    hours = analytics.local_hours_of_spans(
        [Span(start, start + timedelta(hours=1))], zone, start, start + timedelta(days=1)
    )
    assert {hour.hour: seconds for hour, seconds in hours.items()} == {9: 1800.0, 10: 1800.0}


def test_overlapping_spans_count_once_per_local_hour() -> None:
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    spans = [Span(start, start + timedelta(hours=1)), Span(start, start + timedelta(minutes=30))]
    hours = analytics.local_hours_of_spans(spans, ZoneInfo("UTC"), start, start + timedelta(hours=2))
    assert list(hours.values()) == [3600.0]


def test_the_rest_is_added_to_a_kept_other_never_replacing_it() -> None:
    seconds = {"other": 10.0, "python": 5.0, "go": 1.0, "rust": 2.0}
    assert analytics.fold_into_other(seconds, ["other", "python"]) == {"other": 13.0, "python": 5.0}


def test_weekday_matrix_rows_run_sunday_to_saturday() -> None:
    sunday_nine = datetime(2026, 11, 22, 9)
    matrix = analytics.weekday_matrix({sunday_nine: 60.0})
    assert matrix[0][9] == 60.0 and sum(map(sum, matrix)) == 60.0
