from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tracking.domain.periods import calendar_periods_between, period_at, previous_period, rolling_window, snapshot_key

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_day_week_month_keys_and_ranges_in_utc() -> None:
    instant = utc(2026, 11, 23, 10, 30)
    assert period_at("day", instant, UTC_ZONE).key == "2026-11-23"
    week = period_at("week", instant, UTC_ZONE)
    assert (week.key, week.start, week.end) == ("2026-W48", utc(2026, 11, 23), utc(2026, 11, 30))
    month = period_at("month", instant, UTC_ZONE)
    assert (month.key, month.start, month.end) == ("2026-11", utc(2026, 11, 1), utc(2026, 12, 1))


def test_week_starts_on_monday_and_iso_year_differs_at_new_year() -> None:
    sunday = utc(2027, 1, 3, 12)
    week = period_at("week", sunday, UTC_ZONE)
    assert (week.key, week.start) == ("2026-W53", utc(2026, 12, 28))


def test_day_in_board_zone_follows_local_midnight_across_dst() -> None:
    # 2026-10-25 is the day Berlin leaves summer time: 25 hours long.
    day = period_at("day", utc(2026, 10, 25, 12), BERLIN)
    assert (day.start, day.end) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert period_at("day", utc(2026, 10, 24, 22, 30), BERLIN).key == "2026-10-25"
    assert period_at("day", utc(2026, 10, 24, 21, 59), BERLIN).key == "2026-10-24"


def test_half_hour_zone_month_boundary() -> None:
    assert period_at("month", utc(2026, 11, 30, 18, 29), KOLKATA).key == "2026-11"
    assert period_at("month", utc(2026, 11, 30, 18, 30), KOLKATA).key == "2026-12"


def test_previous_period_is_the_one_that_just_closed() -> None:
    assert previous_period("day", utc(2026, 11, 23, 0, 5), UTC_ZONE).key == "2026-11-22"
    assert previous_period("week", utc(2026, 11, 23, 0, 5), UTC_ZONE).key == "2026-W47"
    assert previous_period("month", utc(2026, 11, 1, 0, 5), UTC_ZONE).key == "2026-10"


def test_rolling_window_is_24_hours_to_the_minute() -> None:
    assert rolling_window(utc(2026, 11, 23, 10, 30, 59)) == (utc(2026, 11, 22, 10, 30), utc(2026, 11, 23, 10, 30))


def test_a_session_across_midnight_touches_both_days() -> None:
    keys = [
        (p.timeframe, p.key) for p in calendar_periods_between(utc(2026, 11, 22, 23), utc(2026, 11, 23, 1), UTC_ZONE)
    ]
    assert keys == [
        ("day", "2026-11-22"),
        ("day", "2026-11-23"),
        ("week", "2026-W47"),
        ("week", "2026-W48"),
        ("month", "2026-11"),
    ]


def test_snapshot_keys() -> None:
    instant = utc(2026, 11, 23, 10, 30)
    assert snapshot_key("allTime", instant, UTC_ZONE) == "2026-11-23"
    assert snapshot_key("last24h", instant, UTC_ZONE) == "2026-11-23T10"
    assert snapshot_key("week", instant, UTC_ZONE) == "2026-W48"
