"""Unit tests of the stats rules: ranges, equal growth windows, local hours, folding into other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracking.domain import analytics
from tracking.domain.credit import LocalDay, day_total
from tracking.domain.intervals import Span
from tracking.errors import BadRequest

TODAY = date(2026, 11, 23)
NEXT = date(2026, 11, 24)
UTC_ZONE = ZoneInfo("UTC")


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


def test_the_rest_is_added_to_a_kept_other_never_replacing_it() -> None:
    seconds = {"other": 10.0, "python": 5.0, "go": 1.0, "rust": 2.0}
    assert analytics.fold_into_other(seconds, ["other", "python"]) == {"other": 13.0, "python": 5.0}


def test_weekday_matrix_rows_run_sunday_to_saturday() -> None:
    sunday_nine = datetime(2026, 11, 22, 9)
    matrix = analytics.weekday_matrix({sunday_nine: 60.0})
    assert matrix[0][9] == 60.0 and sum(map(sum, matrix)) == 60.0


def test_local_days_add_the_shares_of_every_utc_day_and_filter_counts_sessions_once() -> None:
    zone = ZoneInfo("America/New_York")
    first = Span(datetime(2026, 11, 23, 22, tzinfo=UTC), datetime(2026, 11, 24, 2, tzinfo=UTC), {"go": 14400})
    second = Span(datetime(2026, 11, 24, 3, tzinfo=UTC), datetime(2026, 11, 24, 3, 10, tzinfo=UTC), {"go": 600})
    totals = [day_total([first, second], day, UTC_ZONE, user_zone=zone) for day in (TODAY, NEXT)]
    local = analytics.user_local_days(totals, zone)
    # 17:00 to 21:00 and 22:00 to 22:10 New York time, all on the 23rd, split over two UTC days.
    assert local[date(2026, 11, 23)] == LocalDay(15000.0, {"go": 15000.0}, 2, 14400.0)
    stats = analytics.filter_stats(
        local, analytics.local_hours_of_slots(totals, zone), first=date(2026, 11, 23), last=date(2026, 11, 23)
    )
    assert (stats.sessions, stats.total_hours, stats.focus_ratio, stats.deep_work_days) == (
        2,
        4.17,
        0.96,
        [date(2026, 11, 23)],
    )
    assert [hour for hour, value in enumerate(stats.weekday_hours) if value] == [17, 18, 19, 20, 22]


def test_a_day_split_for_another_zone_is_split_again_from_its_hour_slots() -> None:
    stored = day_total(
        [Span(datetime(2026, 11, 24, 3, tzinfo=UTC), datetime(2026, 11, 24, 7, tzinfo=UTC), {"go": 14400})],
        NEXT,
        UTC_ZONE,
        user_zone=UTC_ZONE,
    )
    local = analytics.user_local_days([stored], ZoneInfo("America/New_York"))
    assert local == {
        date(2026, 11, 23): LocalDay(7200.0, {"go": 7200.0}, 0, 0.0),
        NEXT: LocalDay(7200.0, {"go": 7200.0}, 0, 0.0),
    }
