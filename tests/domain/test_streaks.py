from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracking.domain.days import local_today
from tracking.domain.streaks import (
    STREAK_WINDOW_DAYS,
    Streak,
    StreakDays,
    compute_streak,
    decayed,
    local_day_seconds,
    parse_zone,
)

D = date(2026, 11, 10)


def hours(**slots: float) -> list[float]:
    """24 hourly slots, e.g. hours(h23=1800)."""
    values = [0.0] * 24
    for name, seconds in slots.items():
        values[int(name[1:])] = seconds
    return values


def days(*offsets: int) -> dict[date, float]:
    return {D + timedelta(days=offset): 600.0 for offset in offsets}


def test_a_streak_grows_with_consecutive_days() -> None:
    assert compute_streak(days(0, 1, 2), today=D + timedelta(days=2), min_seconds=60).current == 3


def test_a_gap_breaks_the_streak_but_longest_remembers() -> None:
    result = compute_streak(days(0, 1, 2, 4, 5), today=D + timedelta(days=5), min_seconds=60)
    assert (result.current, result.longest, result.last_day) == (2, 3, D + timedelta(days=5))


def test_a_streak_extended_yesterday_still_counts_today() -> None:
    assert compute_streak(days(0, 1), today=D + timedelta(days=2), min_seconds=60).current == 2


def test_a_streak_decays_after_a_day_without_coding() -> None:
    result = compute_streak(days(0, 1), today=D + timedelta(days=3), min_seconds=60)
    assert (result.current, result.longest) == (0, 2)


def test_days_under_the_minimum_do_not_count() -> None:
    seconds = {D: 600.0, D + timedelta(days=1): 59.0, D + timedelta(days=2): 60.0}
    result = compute_streak(seconds, today=D + timedelta(days=2), min_seconds=60)
    assert (result.current, result.longest) == (1, 1)


def test_no_days_means_no_streak() -> None:
    result = compute_streak({}, today=D, min_seconds=60)
    assert (result.current, result.longest, result.last_day) == (0, 0, None)


def test_decayed() -> None:
    assert decayed(5, D, D + timedelta(days=1)) == 5
    assert decayed(5, D, D + timedelta(days=2)) == 0
    assert decayed(5, None, D) == 0


def test_invalid_or_missing_zones_are_utc() -> None:
    assert parse_zone("GMT+1") == ZoneInfo("UTC")
    assert parse_zone(None) == ZoneInfo("UTC")
    assert parse_zone("../etc/passwd") == ZoneInfo("UTC")
    assert parse_zone("Asia/Kolkata") == ZoneInfo("Asia/Kolkata")


def test_utc_hours_map_to_local_days_in_a_whole_hour_zone() -> None:
    # New York is UTC-5 in November: 03:00 UTC on the 10th is 22:00 on the 9th.
    result = local_day_seconds([(D, hours(h3=600, h5=300))], ZoneInfo("America/New_York"))
    assert result == {D - timedelta(days=1): 600, D: 300}


def test_a_half_hour_zone_splits_the_hour_that_holds_local_midnight() -> None:
    # Kolkata is UTC+5:30: local midnight of the 11th is 18:30 UTC on the 10th.
    result = local_day_seconds([(D, hours(h18=3600, h12=100))], ZoneInfo("Asia/Kolkata"))
    assert result == {D: pytest.approx(1900), D + timedelta(days=1): pytest.approx(1800)}


def test_dst_days_of_23_and_25_hours_end_at_the_right_utc_hour() -> None:
    zone = ZoneInfo("Europe/Berlin")
    spring = date(2026, 3, 29)  # clocks go forward: the local day is 23 hours, 23:00 UTC the day before to 22:00 UTC
    autumn = date(2026, 10, 25)  # clocks go back: the local day is 25 hours, 22:00 UTC the day before to 23:00 UTC
    result = local_day_seconds(
        [(spring - timedelta(days=1), hours(h22=60, h23=60)), (spring, hours(h21=60, h22=60))], zone
    )
    assert result == {spring - timedelta(days=1): 60, spring: 120, spring + timedelta(days=1): 60}
    result = local_day_seconds([(autumn, hours(h22=60, h23=60))], zone)
    assert result == {autumn: 60, autumn + timedelta(days=1): 60}


def test_a_dst_day_does_not_break_a_streak() -> None:
    zone = ZoneInfo("America/New_York")
    spring = date(2026, 3, 8)
    # 20:00 local every evening around the spring change: 01:00 UTC before it, 00:00 UTC after it.
    utc_days = [
        (spring - timedelta(days=1) + timedelta(days=1), hours(h1=120)),
        (spring + timedelta(days=1), hours(h0=120)),
        (spring + timedelta(days=2), hours(h0=120)),
    ]
    local = local_day_seconds(utc_days, zone)
    assert sorted(local) == [spring - timedelta(days=1), spring, spring + timedelta(days=1)]
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert compute_streak(local, today=local_today(now, zone), min_seconds=60).current == 3


def test_streak_days_follow_the_days_that_count() -> None:
    state = StreakDays(anchor=D)
    for offset in (0, 1, 2, 4, 5):
        state = state.with_day(D + timedelta(days=offset))
    assert state.anchor == D + timedelta(days=5)
    assert state.streak(D + timedelta(days=5), longest_before=0) == Streak(2, 3, D + timedelta(days=5))
    # The gap is filled late (a session from two days ago): the runs join.
    state = state.with_day(D + timedelta(days=3))
    assert state.streak(D + timedelta(days=6), longest_before=0) == Streak(6, 6, D + timedelta(days=5))
    assert state.streak(D + timedelta(days=7), longest_before=9) == Streak(0, 9, D + timedelta(days=5))


def test_a_run_longer_than_the_window_is_kept_in_its_tail() -> None:
    days = {D + timedelta(days=offset): 3600.0 for offset in range(100)}
    last = D + timedelta(days=99)
    state = StreakDays.from_day_seconds(days, anchor=last, min_seconds=60)
    assert state.tail == 100 - STREAK_WINDOW_DAYS
    assert state.streak(last, longest_before=0).current == 100
    state = state.with_day(last + timedelta(days=1))
    assert state.streak(last + timedelta(days=1), longest_before=0) == Streak(101, 101, last + timedelta(days=1))
    # Moving past the whole window keeps nothing but what ended long ago.
    assert state.moved_to(last + timedelta(days=200)).streak(last + timedelta(days=200), longest_before=0).current == 0


def test_streak_days_agree_with_the_whole_history_on_random_calendars() -> None:
    rng = random.Random(3)
    for _ in range(200):
        days = {D + timedelta(days=offset): rng.choice((0.0, 30.0, 600.0)) for offset in range(150)}
        today = D + timedelta(days=150 + rng.randrange(3))
        whole = compute_streak(days, today=today, min_seconds=60)
        state = StreakDays.from_day_seconds(days, anchor=today, min_seconds=60)
        assert state.streak(today, longest_before=whole.longest) == whole


def test_a_day_older_than_the_window_is_refused() -> None:
    with pytest.raises(ValueError, match="older than the streak window"):
        StreakDays(anchor=D).with_day(D - timedelta(days=STREAK_WINDOW_DAYS))
