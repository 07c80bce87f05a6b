"""Crediting rules without a database: the days a batch touches, a day's split, the plan of writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracking.domain.credit import (
    BoardChange,
    BoardTotal,
    CreditPlan,
    DayTotal,
    NeedsRebuild,
    StoredTotals,
    credit_window,
    day_total,
    plan_credit,
)
from tracking.domain.intervals import Credit, Span
from tracking.domain.streaks import StreakDays

UTC_ZONE = ZoneInfo("UTC")
KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def at(day: int, hour: float) -> datetime:
    return datetime(2026, 11, day, tzinfo=UTC) + timedelta(hours=hour)


def totals(*, tracked: float = 0.0, languages: dict[str, float] | None = None, listed: bool = True) -> StoredTotals:
    return StoredTotals(
        user_id="1",
        version=4,
        listed=listed,
        zone=UTC_ZONE,
        baseline_seconds=100.0,
        baseline_languages={"other": 100.0},
        tracked_seconds=tracked,
        language_totals=languages or {},
        longest_streak=0,
        streak_days=StreakDays(anchor=NOW.date()),
        last_session=None,
    )


def plan(
    stored: StoredTotals, spans: list[Span], batch: list[Span], days: dict[date, DayTotal], zone: ZoneInfo = UTC_ZONE
) -> CreditPlan:
    window = credit_window(batch, board_zone=zone, user_zone=stored.zone, now=NOW)
    return plan_credit(
        totals=stored,
        spans=spans,
        stored_days=days,
        window=window,
        batch=batch,
        now=NOW,
        board_zone=zone,
        streak_min_seconds=60,
    )


def test_a_day_is_split_exactly_at_a_half_hour_zones_midnight() -> None:
    # 18:00-19:00 UTC holds Kolkata's midnight at 18:30.
    total = day_total([Span(at(24, 18), at(24, 19), {"go": 3600})], date(2026, 11, 24), KOLKATA, user_zone=UTC_ZONE)
    assert total.seconds == 3600
    assert total.hours[18] == 3600
    assert total.board_days == {
        "2026-11-24": Credit(1800.0, {"go": 1800.0}),
        "2026-11-25": Credit(1800.0, {"go": 1800.0}),
    }
    assert total.board_zone == "Asia/Kolkata"


def test_the_window_covers_every_zones_days_and_the_last_day() -> None:
    window = credit_window(
        [Span(at(24, 18), at(24, 19))], board_zone=KOLKATA, user_zone=ZoneInfo("America/New_York"), now=NOW
    )
    # UTC day 24; Kolkata's 24th and 25th (which reach into UTC 23 and 25); New York's 24th; the last 24 hours.
    assert window.days == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    assert window.ranges[0][0] == datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    assert window.ranges[-1][1] >= NOW


def test_a_first_session_sets_the_day_and_moves_week_month_and_totals() -> None:
    session = Span(at(24, 10), at(24, 11), {"python": 3600})
    result = plan(totals(), [session], [session], {})
    assert [day.day for day in result.days] == [date(2026, 11, 24)]
    assert BoardTotal("day", "2026-11-24", 3600) in result.board_totals
    assert BoardTotal("day:python", "2026-11-24", 3600) in result.board_totals
    assert BoardTotal("allTime", "all", 3700) in result.board_totals  # the baseline counts on the all-time board
    assert set(result.board_changes) == {
        BoardChange("week", "2026-W48", 3600),
        BoardChange("week:python", "2026-W48", 3600),
        BoardChange("month", "2026-11", 3600),
        BoardChange("month:python", "2026-11", 3600),
    }
    assert result.user is not None
    assert (result.user.tracked, result.user.total_seconds) == (Credit(3600, {"python": 3600}), 3700)
    assert result.user.bot_languages["python"] == 3600 and result.user.bot_languages["other"] == 100
    assert [milestone.name for milestone in result.user.awarded] == ["Novice 🥉", "Python Novice 🥉", "Python Pro 🐍"]
    assert (result.user.current_streak, result.user.longest_streak) == (1, 1)  # yesterday counted: still running


def test_an_overlapping_session_moves_the_totals_by_the_union_only() -> None:
    first = Span(at(24, 10), at(24, 11), {"python": 3600})
    stored_day = day_total([first], date(2026, 11, 24), UTC_ZONE, user_zone=UTC_ZONE)
    second = Span(
        at(
            24,
            10,
        )
        + timedelta(minutes=30),
        at(
            24,
            11,
        )
        + timedelta(minutes=30),
        {"go": 3600},
    )
    result = plan(
        totals(tracked=3600, languages={"python": 3600}), [first, second], [second], {stored_day.day: stored_day}
    )
    assert result.user is not None
    assert result.user.tracked.seconds == pytest.approx(5400)
    assert BoardChange("week", "2026-W48", 1800) in result.board_changes


def test_a_replay_plans_nothing() -> None:
    session = Span(at(24, 10), at(24, 11), {"python": 3600})
    stored_day = day_total([session], date(2026, 11, 24), UTC_ZONE, user_zone=UTC_ZONE)
    result = plan(totals(tracked=3600), [session], [session], {stored_day.day: stored_day})
    assert not result.changes_anything


def test_an_unlisted_user_gets_no_board_writes() -> None:
    session = Span(at(24, 10), at(24, 11))
    result = plan(totals(listed=False), [session], [session], {})
    assert (result.board_totals, result.board_changes, result.rolling) == ([], [], None)
    assert result.user is not None and result.user.tracked.seconds == 3600


def test_days_split_for_another_board_zone_need_a_rebuild() -> None:
    session = Span(at(24, 10), at(24, 11))
    stored_day = day_total([Span(at(24, 1), at(24, 2))], date(2026, 11, 24), KOLKATA, user_zone=UTC_ZONE)
    with pytest.raises(NeedsRebuild):
        plan(totals(), [session], [session], {stored_day.day: stored_day})


def test_a_day_keeps_its_share_of_each_user_local_day_with_the_sessions_that_start_in_it() -> None:
    # New York is UTC-5 in November: UTC 03:00-06:00 crosses its midnight at 05:00.
    long = Span(at(24, 3), at(24, 6), {"go": 3 * 3600})
    short = Span(at(24, 5) + timedelta(minutes=30), at(24, 5) + timedelta(minutes=40), {"rust": 600})
    total = day_total([long, short], date(2026, 11, 24), UTC_ZONE, user_zone=ZoneInfo("America/New_York"))
    assert total.user_zone == "America/New_York"
    assert total.user_days.keys() == {"2026-11-23", "2026-11-24"}
    before, after = total.user_days["2026-11-23"], total.user_days["2026-11-24"]
    assert (before.seconds, before.sessions, before.focused_seconds) == (7200.0, 1, 7200.0)
    # The short session starts after midnight: counted there; only the long one's time is focused.
    assert (after.seconds, after.sessions, after.focused_seconds) == (3600.0, 1, 3600.0)
    assert after.languages == pytest.approx({"go": 3300.0, "rust": 300.0})


def test_a_day_split_for_another_user_zone_is_rewritten() -> None:
    session = Span(at(24, 10), at(24, 11))
    stored_day = day_total([session], date(2026, 11, 24), UTC_ZONE, user_zone=KOLKATA)
    assert [day.day for day in plan(totals(tracked=3600), [session], [session], {stored_day.day: stored_day}).days] == [
        date(2026, 11, 24)
    ]


def test_a_utc_day_the_batch_only_reaches_through_a_local_day_is_kept_as_stored() -> None:
    # Kolkata's 25th starts at UTC 18:30 on the 24th; the UTC 24th's morning session is not in the window read.
    morning = Span(at(24, 2), at(24, 3))
    stored_day = day_total([morning], date(2026, 11, 24), KOLKATA, user_zone=UTC_ZONE)
    late = Span(at(25, 1), at(25, 2))
    result = plan(totals(tracked=3600), [late], [late], {stored_day.day: stored_day}, KOLKATA)
    assert [day.day for day in result.days] == [date(2026, 11, 25)]
    assert result.user is not None and result.user.tracked.seconds == 7200
