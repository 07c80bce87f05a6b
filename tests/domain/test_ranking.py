"""Board rules: listing, names, rank deltas, cursors, growth windows and hour slots."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tracking.domain.profiles import User
from tracking.domain.ranking import (
    Listing,
    board_names,
    days_spanned,
    decode_cursor,
    encode_cursor,
    growth_windows,
    is_listed,
    rank_delta,
    seconds_in_hours,
)


def _listing(
    *, username: str = "ada", display_name: str | None = None, is_public: bool = True, archived: bool = False
) -> Listing:
    return Listing("1", username, display_name, None, is_public, archived)


def test_private_archived_and_missing_users_are_not_listed() -> None:
    assert is_listed(User(user_id="1")) and is_listed(_listing(is_public=True, archived=False))
    assert not is_listed(_listing(is_public=False)) and not is_listed(_listing(archived=True)) and not is_listed(None)
    assert not is_listed(User(user_id="1", is_public=False)) and not is_listed(User(user_id="1", archived=True))


def test_names_fall_back_to_anonymous_and_the_username() -> None:
    assert board_names(None) == ("Anonymous", "Anonymous")
    assert board_names(_listing(username="ada", display_name=None)) == ("ada", "ada")
    assert board_names(_listing(username="ada", display_name="Ada L.")) == ("ada", "Ada L.")


def test_rank_delta_is_positive_when_moving_up() -> None:
    assert (rank_delta(2, 5), rank_delta(5, 2), rank_delta(1, None)) == (3, -3, 0)


def test_cursors_round_trip_and_garbage_is_none() -> None:
    assert decode_cursor(encode_cursor(12.5, "u1")) == (12.5, "u1")
    assert decode_cursor("!!") is None


def test_growth_windows_end_with_the_current_hour() -> None:
    now = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    current, previous = growth_windows(7, now)
    assert current == (datetime(2026, 11, 16, 11, tzinfo=UTC), datetime(2026, 11, 23, 11, tzinfo=UTC))
    assert previous == (datetime(2026, 11, 9, 11, tzinfo=UTC), datetime(2026, 11, 16, 11, tzinfo=UTC))


def test_hour_slots_count_only_inside_the_window() -> None:
    start, end = datetime(2026, 11, 22, 23, tzinfo=UTC), datetime(2026, 11, 23, 2, tzinfo=UTC)
    assert days_spanned(start, end) == [date(2026, 11, 22), date(2026, 11, 23)]
    hours = [60.0] * 24
    slots = [("a", date(2026, 11, 22), hours), ("a", date(2026, 11, 23), hours), ("b", date(2026, 11, 21), hours)]
    assert seconds_in_hours(slots, start, end) == {"a": 180.0}
