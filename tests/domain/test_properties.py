"""Property tests of the domain rules (hypothesis): the union of intervals, splits by day, the streak window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.domain.credit import day_total
from tracking.domain.days import day_range, days_overlapped
from tracking.domain.intervals import Span, credit, merge
from tracking.domain.streaks import STREAK_WINDOW_DAYS, StreakDays, compute_streak

ORIGIN = datetime(2026, 3, 20, tzinfo=UTC)  # a week before Europe's DST change
ZONES = [ZoneInfo(name) for name in ("UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham")]

spans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10 * 86400),
        st.integers(min_value=1, max_value=86400),
        st.dictionaries(st.sampled_from(["python", "go", "rust"]), st.floats(min_value=0, max_value=100_000)),
    ).map(lambda t: Span(ORIGIN + timedelta(seconds=t[0]), ORIGIN + timedelta(seconds=t[0] + t[1]), t[2])),
    max_size=8,
)


def union_seconds(items: list[Span], start: datetime, end: datetime) -> float:
    return sum((min(b, end) - max(a, start)).total_seconds() for a, b in merge(items) if min(b, end) > max(a, start))


@settings(max_examples=300, deadline=None)
@given(spans, st.integers(min_value=0, max_value=11 * 86400), st.integers(min_value=0, max_value=11 * 86400))
def test_credit_is_the_union_and_languages_never_exceed_it(items: list[Span], a: int, b: int) -> None:
    start, end = ORIGIN + timedelta(seconds=min(a, b)), ORIGIN + timedelta(seconds=max(a, b))
    result = credit(items, start, end)
    assert abs(result.seconds - union_seconds(items, start, end)) < 1e-6
    assert sum(result.languages.values()) <= result.seconds + 1e-6
    assert result.seconds <= sum(span.seconds for span in items) + 1e-6


@settings(max_examples=200, deadline=None)
@given(spans, st.sampled_from(ZONES))
def test_the_days_of_any_zone_add_up_to_the_whole_and_each_utc_day_to_its_parts(
    items: list[Span], zone: ZoneInfo
) -> None:
    start, end = ORIGIN - timedelta(days=1), ORIGIN + timedelta(days=13)
    whole = credit(items, start, end).seconds
    local_days = days_overlapped(start, end, zone)
    assert abs(sum(credit(items, *day_range(day, zone)).seconds for day in local_days) - whole) < 1e-6
    for day in days_overlapped(start, end)[::3]:
        total = day_total(items, day, zone, user_zone=zone)
        assert abs(sum(part.seconds for part in total.board_days.values()) - total.seconds) < 1e-6
        assert abs(sum(part.seconds for part in total.user_days.values()) - total.seconds) < 1e-6
        assert abs(sum(total.hours) - total.seconds) < 1e-6


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=STREAK_WINDOW_DAYS - 2), max_size=40), st.integers(0, 2))
def test_the_streak_window_moved_day_by_day_agrees_with_the_whole_history(offsets: list[int], later: int) -> None:
    first = date(2026, 1, 1)
    anchor = first + timedelta(days=STREAK_WINDOW_DAYS - 2)
    state = StreakDays(anchor=first)
    for offset in offsets:  # days arrive in any order, as late sessions do
        state = state.with_day(first + timedelta(days=offset))
    today = anchor + timedelta(days=later)
    whole = compute_streak({first + timedelta(days=o): 3600.0 for o in offsets}, today=today, min_seconds=60)
    assert state.streak(today, longest_before=0) == whole
