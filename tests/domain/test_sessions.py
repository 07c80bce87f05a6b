from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tracking.domain.sessions import (
    InvalidSession,
    build_session,
    decode_history_cursor,
    encode_history_cursor,
    history_range,
    session_hash,
)
from tracking.errors import BadRequest
from tracking.models import SessionCreate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
USER = "123456789012345678"


def build(**fields: Any) -> Any:
    return build_session(SessionCreate.model_validate({"userId": USER, **fields}), now=NOW, max_age_days=30)


def problems(**fields: Any) -> list[dict[str, str]]:
    with pytest.raises(InvalidSession) as raised:
        build(**fields)
    return raised.value.problems


def test_session_date_is_the_end_of_the_session() -> None:
    session = build(sessionDate="2026-11-23T11:00:00.123456Z", duration=1800.5)
    assert session.end == datetime(2026, 11, 23, 11, 0, 0, 123000, tzinfo=UTC)
    assert session.start == session.end - timedelta(seconds=1800.5)
    assert session.duration == 1800.5


def test_start_and_end_may_be_sent_instead_and_naive_times_are_utc() -> None:
    session = build(startTime="2026-11-23T10:00:00", endTime="2026-11-23T12:30:00+01:00")
    assert (session.start, session.end) == (
        datetime(2026, 11, 23, 10, tzinfo=UTC),
        datetime(2026, 11, 23, 11, 30, tzinfo=UTC),
    )


def test_start_with_end_and_a_matching_duration() -> None:
    session = build(startTime="2026-11-23T09:00:00Z", endTime="2026-11-23T10:00:00Z", duration=3600.4)
    assert session.duration == 3600
    assert problems(startTime="2026-11-23T09:00:00Z", endTime="2026-11-23T10:00:00Z", duration=1800) == [
        {"field": "duration", "message": "Does not match endTime - startTime"}
    ]


def test_start_and_duration() -> None:
    session = build(startTime="2026-11-23T09:00:00Z", duration=60)
    assert session.end == datetime(2026, 11, 23, 9, 1, tzinfo=UTC)


def test_session_date_and_end_time_must_agree() -> None:
    assert problems(sessionDate="2026-11-23T10:00:00Z", endTime="2026-11-23T10:05:00Z", duration=60) == [
        {"field": "sessionDate", "message": "Must equal endTime (both are the end of the session)"}
    ]


def test_plausibility_limits() -> None:
    # Accepted at both limits; the five minutes past the server's clock are not credited.
    assert build(sessionDate="2026-11-23T12:05:00Z", duration=86400).duration == 86400 - 300
    assert problems(sessionDate="2026-11-23T12:05:01Z", duration=86401) == [
        {"field": "duration", "message": "A session cannot be longer than 24 hours"},
        {"field": "sessionDate", "message": "The session ends more than 5 minutes in the future"},
    ]
    assert build(sessionDate="2026-10-24T12:00:00Z", duration=60).end == datetime(2026, 10, 24, 12, tzinfo=UTC)
    assert problems(sessionDate="2026-10-24T11:59:59Z", duration=60) == [
        {"field": "sessionDate", "message": "The session is older than 30 days"}
    ]


def test_language_problems_are_all_listed() -> None:
    assert problems(sessionDate="2026-11-23T10:00:00Z", duration=60, languages={"": 1, "go": float("inf")}) == [
        {"field": "languages", "message": "Language names have 1 to 64 characters"},
        {"field": "languages.go", "message": "Must be a finite number of seconds, 0 or more"},
    ]


def test_languages_are_normalised_and_the_placeholder_name_dropped() -> None:
    session = build(
        sessionDate="2026-11-23T10:00:00Z",
        duration=60,
        username="EFU",
        languages={"typescriptreact": 20, "typescript": 10, "markdown": 0},
    )
    assert session.languages == {"typescript": 30}
    assert session.username is None
    assert build(sessionDate="2026-11-23T10:00:00Z", duration=60, username=" jay ").username == "jay"


def test_the_session_id_is_the_clients_or_a_hash_of_user_and_interval() -> None:
    session = build(sessionDate="2026-11-23T10:00:00Z", duration=60)
    assert session.session_id == session_hash(USER, session.start, session.end)
    assert session.session_id != session_hash("223456789012345678", session.start, session.end)
    assert len(session.session_id) == 64
    assert build(sessionDate="2026-11-23T10:00:00Z", duration=60, sessionId="abc").session_id == "abc"


def test_a_session_ending_a_little_in_the_future_is_credited_up_to_now() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    body = SessionCreate(
        userId="123456789012345678", duration=600, sessionDate=now + timedelta(minutes=3), languages={"go": 600}
    )
    session = build_session(body, now=now, max_age_days=30)
    assert (session.start, session.end) == (now - timedelta(minutes=7), now)
    assert session.languages == {"go": pytest.approx(420)}
    # The id is the interval's as sent, so the same post later is a duplicate, not a second session.
    assert session.session_id == session_hash(
        "123456789012345678", now - timedelta(minutes=7), now + timedelta(minutes=3)
    )


def test_a_session_that_has_not_started_yet_is_refused() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    body = SessionCreate(userId="123456789012345678", duration=60, sessionDate=now + timedelta(minutes=4))
    with pytest.raises(InvalidSession) as raised:
        build_session(body, now=now, max_age_days=30)
    assert raised.value.problems == [{"field": "sessionDate", "message": "The session has not started yet"}]


# The history range and cursor (GET /user/{userId}/sessions)


def test_history_range_defaults_to_the_last_30_days_up_to_now() -> None:
    assert history_range(None, None, now=NOW) == (NOW - timedelta(days=30), NOW)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    assert history_range(None, end, now=NOW) == (end - timedelta(days=30), end)
    assert history_range(datetime(2026, 11, 20), None, now=NOW) == (datetime(2026, 11, 20, tzinfo=UTC), NOW)


def test_history_range_refuses_reversed_long_and_implausible_ranges() -> None:
    def refused(start: datetime | None, end: datetime | None) -> list[dict[str, str]] | None:
        with pytest.raises(BadRequest) as raised:
            history_range(start, end, now=NOW)
        return raised.value.errors

    assert refused(NOW, NOW - timedelta(seconds=1)) == [{"field": "from", "message": "Must not be after to"}]
    assert refused(NOW - timedelta(days=367), None) == [{"field": "from", "message": "The range is at most 366 days"}]
    assert refused(datetime(1999, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)) == [
        {"field": "from", "message": "Must be a time between 2000-01-01 and 2100-01-01"},
        {"field": "to", "message": "Must be a time between 2000-01-01 and 2100-01-01"},
    ]
    assert history_range(NOW - timedelta(days=366), NOW, now=NOW) == (NOW - timedelta(days=366), NOW)


def test_a_history_cursor_round_trips_to_the_millisecond_and_junk_is_none() -> None:
    end = datetime(2026, 11, 23, 11, 0, 0, 123000, tzinfo=UTC)
    assert decode_history_cursor(encode_history_cursor(end, "s-1")) == (end, "s-1")
    for junk in ("", "nope", "W10=", "WyJ4IiwgMV0=", "WzEuNSwgImEiXQ=="):
        assert decode_history_cursor(junk) is None
