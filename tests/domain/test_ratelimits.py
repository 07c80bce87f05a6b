"""Rate-limit rules: aligned windows, keys per subject, decisions with Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracking.domain.ratelimits import Decision, Limit, decide, decide_next, window_at

NOW = datetime(2026, 11, 23, 10, 7, 30, tzinfo=UTC)
LIMIT = Limit("test", 2, timedelta(minutes=5))


def test_a_window_is_keyed_by_limit_subject_and_start() -> None:
    window = window_at(LIMIT, "a", NOW)
    assert window.key == f"test:a:{int(datetime(2026, 11, 23, 10, 5, tzinfo=UTC).timestamp())}"
    assert window.ends_at == datetime(2026, 11, 23, 10, 10, tzinfo=UTC)


def test_events_past_the_limit_retry_when_the_window_ends() -> None:
    window = window_at(LIMIT, "a", NOW)
    assert decide(2, LIMIT, window, NOW) == Decision(allowed=True, retry_after_seconds=150)
    assert decide(3, LIMIT, window, NOW) == Decision(allowed=False, retry_after_seconds=150)
    assert decide_next(2, LIMIT, window, NOW).allowed is False
    assert decide(3, LIMIT, window, window.ends_at).retry_after_seconds == 1
