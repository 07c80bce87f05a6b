"""Presence rules: when a heartbeat counts, who is coding now, the in-progress stretch and provisional ranks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracking.domain.presence import (
    Presence,
    ProvisionalEntry,
    heartbeat_instant,
    in_progress,
    is_coding_now,
    provisional_ranking,
    seconds_within,
)
from tracking.errors import BadRequest

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=120)
MINUTE = timedelta(minutes=1)


def presence(since: datetime, last_seen: datetime) -> Presence:
    return Presence("1", since=since, last_seen=last_seen, language="python")


# heartbeat_instant


def test_a_heartbeat_without_a_time_happened_now_to_the_millisecond() -> None:
    assert heartbeat_instant(None, now=NOW + timedelta(microseconds=1999), ttl=TTL) == NOW + timedelta(
        microseconds=1000
    )


def test_a_heartbeat_time_is_utc_and_never_after_now() -> None:
    assert heartbeat_instant(datetime(2026, 12, 1, 11, 59, 30), now=NOW, ttl=TTL) == NOW - timedelta(seconds=30)
    assert heartbeat_instant(NOW + MINUTE, now=NOW, ttl=TTL) == NOW


def refusal(at: datetime) -> list[dict[str, str]] | None:
    with pytest.raises(BadRequest) as raised:
        heartbeat_instant(at, now=NOW, ttl=TTL)
    assert raised.value.message == "Invalid heartbeat"
    return raised.value.errors


def test_a_heartbeat_too_far_ahead_older_than_the_ttl_or_out_of_range_is_refused() -> None:
    assert refusal(NOW + timedelta(minutes=5, seconds=1)) == [
        {"field": "at", "message": "More than 5 minutes in the future"}
    ]
    assert refusal(NOW - TTL - timedelta(seconds=1)) == [
        {"field": "at", "message": "Older than the presence TTL (120 seconds)"}
    ]
    # No UTC time, or none a client could mean: refused before any arithmetic.
    for at in (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), datetime(9999, 12, 31, 23, tzinfo=UTC)):
        assert refusal(at) == [{"field": "at", "message": "Must be a time between 2000-01-01 and 2100-01-01"}]
    assert heartbeat_instant(NOW - TTL, now=NOW, ttl=TTL) == NOW - TTL


# is_coding_now, in_progress


def test_a_user_is_coding_now_until_the_ttl_after_their_last_heartbeat() -> None:
    assert is_coding_now(presence(NOW - MINUTE, NOW - TTL), now=NOW, ttl=TTL)
    assert not is_coding_now(presence(NOW - MINUTE, NOW - TTL - timedelta(seconds=1)), now=NOW, ttl=TTL)


def test_the_stretch_runs_from_its_first_heartbeat_to_its_last_not_to_now() -> None:
    stretch = in_progress(presence(NOW - 30 * MINUTE, NOW - MINUTE), last_credited_end=None, now=NOW, ttl=TTL)
    assert stretch == (NOW - 30 * MINUTE, NOW - MINUTE)


def test_the_stretch_starts_after_the_latest_credited_session_end() -> None:
    live = presence(NOW - 30 * MINUTE, NOW - MINUTE)
    assert in_progress(live, last_credited_end=NOW - 10 * MINUTE, now=NOW, ttl=TTL) == (NOW - 10 * MINUTE, NOW - MINUTE)
    # A session ended before the stretch began leaves it whole.
    assert in_progress(live, last_credited_end=NOW - 2 * 60 * MINUTE, now=NOW, ttl=TTL) == (
        NOW - 30 * MINUTE,
        NOW - MINUTE,
    )


def test_the_session_that_covers_the_stretch_leaves_nothing_in_progress() -> None:
    # The extension sends the session when VS Code closes: it ends at or after the last heartbeat.
    live = presence(NOW - 30 * MINUTE, NOW - MINUTE)
    assert in_progress(live, last_credited_end=NOW - MINUTE, now=NOW, ttl=TTL) is None
    assert in_progress(live, last_credited_end=NOW, now=NOW, ttl=TTL) is None


def test_credited_plus_in_progress_never_counts_a_second_twice() -> None:
    """Whatever session arrives, credited time ends by its end and the stretch starts after it."""
    since, last_seen = NOW - 60 * MINUTE, NOW - MINUTE
    for minutes_ago in range(0, 120, 7):
        session_end = NOW - minutes_ago * MINUTE
        stretch = in_progress(presence(since, last_seen), last_credited_end=session_end, now=NOW, ttl=TTL)
        assert stretch is None or stretch[0] >= session_end


def test_no_stretch_once_the_ttl_ran_out_or_when_it_has_one_heartbeat() -> None:
    assert in_progress(presence(NOW - 9 * MINUTE, NOW - 3 * MINUTE), last_credited_end=None, now=NOW, ttl=TTL) is None
    assert in_progress(presence(NOW, NOW), last_credited_end=None, now=NOW, ttl=TTL) is None


def test_no_stretch_is_longer_than_the_longest_session() -> None:
    live = presence(NOW - timedelta(days=3), NOW)
    assert in_progress(live, last_credited_end=None, now=NOW, ttl=TTL) == (NOW - timedelta(hours=24), NOW)


# seconds_within


def test_seconds_within_a_period_are_clipped_to_it() -> None:
    stretch = (NOW - 30 * MINUTE, NOW)
    assert seconds_within(stretch, NOW - 10 * MINUTE, NOW + 60 * MINUTE) == 600.0
    assert seconds_within(stretch, NOW - 60 * MINUTE, NOW - 20 * MINUTE) == 600.0
    assert seconds_within(stretch, NOW, NOW + MINUTE) == 0.0
    assert seconds_within(None, NOW - MINUTE, NOW) == 0.0


# provisional_ranking


def test_provisional_ranks_add_in_progress_time_and_keep_board_order() -> None:
    credited = {"a": 3600.0, "b": 3000.0, "c": 1000.0}
    ranked = provisional_ranking(credited, {"c": 2500.0, "d": 0.0}, limit=10)
    assert ranked == [
        ProvisionalEntry("a", 1, 3600.0, 3600.0, live=False),
        ProvisionalEntry("c", 2, 3500.0, 1000.0, live=True),
        ProvisionalEntry("b", 3, 3000.0, 3000.0, live=False),
        ProvisionalEntry("d", 4, 0.0, 0.0, live=True),
    ]


def test_provisional_ties_go_by_user_id_and_the_limit_cuts_the_tail() -> None:
    ranked = provisional_ranking({"b": 60.0, "a": 30.0}, {"a": 30.0}, limit=1)
    assert ranked == [ProvisionalEntry("a", 1, 60.0, 30.0, live=True)]
