"""The presence repository against the real database: one document per user, the stretch kept or restarted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tests.store.test_retries import THREADS, race
from tests.utils.factories import USER_A, USER_B
from tracking.domain.presence import Presence
from tracking.store import presence

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
TTL = timedelta(seconds=120)
HEARTBEAT_MIN_GAP = timedelta(seconds=2)


def _beat(
    db: Database[dict[str, Any]],
    at: datetime,
    user_id: str = USER_A,
    language: str | None = "python",
    received: datetime | None = None,
) -> bool:
    """A heartbeat of ``at``, received by the server at ``received`` (default: at ``at`` itself)."""
    return presence.record_heartbeat_by_user(
        db,
        user_id=user_id,
        at=at,
        received=received or at,
        ttl=TTL,
        min_gap=HEARTBEAT_MIN_GAP,
        language=language,
        editor="vscode",
        project="distrack",
        session_id="s1",
    )


def test_a_first_heartbeat_starts_a_stretch(db: Database[dict[str, Any]]) -> None:
    _beat(db, T0)
    assert presence.find_presence_seen_since(db, T0) == [
        Presence(USER_A, T0, T0, language="python", editor="vscode", project="distrack", session_id="s1")
    ]
    assert db["presence"].count_documents({}) == 1


def test_heartbeats_within_the_ttl_keep_the_stretch_and_take_the_latest_language(
    db: Database[dict[str, Any]],
) -> None:
    _beat(db, T0)
    _beat(db, T0 + TTL, language="go")
    [found] = presence.find_presence_seen_since(db, T0)
    assert (found.since, found.last_seen, found.language) == (T0, T0 + TTL, "go")


def test_a_heartbeat_after_a_gap_longer_than_the_ttl_starts_a_new_stretch(db: Database[dict[str, Any]]) -> None:
    _beat(db, T0)
    later = T0 + TTL + timedelta(seconds=1)
    _beat(db, later, language=None)
    [found] = presence.find_presence_seen_since(db, T0)
    assert (found.since, found.last_seen, found.language) == (later, later, None)
    assert db["presence"].count_documents({}) == 1


def test_a_late_heartbeat_never_moves_last_seen_back(db: Database[dict[str, Any]]) -> None:
    _beat(db, T0 + timedelta(seconds=60))
    _beat(db, T0, received=T0 + timedelta(seconds=70))
    [found] = presence.find_presence_seen_since(db, T0)
    assert (found.since, found.last_seen) == (T0 + timedelta(seconds=60), T0 + timedelta(seconds=60))


def test_reads_find_who_was_seen_since_an_instant_latest_first(db: Database[dict[str, Any]]) -> None:
    _beat(db, T0, USER_A)
    _beat(db, T0 + timedelta(seconds=30), USER_B)
    assert [p.user_id for p in presence.find_presence_seen_since(db, T0)] == [USER_B, USER_A]
    assert [p.user_id for p in presence.find_presence_seen_since(db, T0 + timedelta(seconds=1))] == [USER_B]
    assert presence.count_presence_seen_since(db, T0) == 2
    assert presence.delete_presence_by_user(db, USER_A) == 1
    assert presence.count_presence_seen_since(db, T0) == 1


def test_a_heartbeat_sooner_than_the_gap_after_the_last_is_refused_and_writes_nothing(
    db: Database[dict[str, Any]],
) -> None:
    assert _beat(db, T0)
    too_soon = T0 + HEARTBEAT_MIN_GAP - timedelta(milliseconds=1)
    assert not _beat(db, too_soon, language="go")
    [found] = presence.find_presence_seen_since(db, T0)
    assert (found.last_seen, found.language) == (T0, "python")
    assert _beat(db, T0 + HEARTBEAT_MIN_GAP, language="go")
    [found] = presence.find_presence_seen_since(db, T0)
    assert (found.last_seen, found.language) == (T0 + HEARTBEAT_MIN_GAP, "go")


def test_a_new_stretch_is_refused_too_when_it_comes_too_soon(db: Database[dict[str, Any]]) -> None:
    # A client sending "at" older than the stretch's TTL does not restart the stretch within the gap either.
    assert _beat(db, T0 + TTL * 2, received=T0 + TTL * 2)
    assert not _beat(db, T0, received=T0 + TTL * 2 + timedelta(seconds=1))
    [found] = presence.find_presence_seen_since(db, T0)
    assert (found.since, found.last_seen) == (T0 + TTL * 2, T0 + TTL * 2)


def test_racing_first_heartbeats_of_one_user_leave_one_document_and_one_passes(db: Database[dict[str, Any]]) -> None:
    taken: list[bool] = []
    assert (
        race(lambda thread: taken.append(_beat(db, T0 + timedelta(milliseconds=thread), received=T0)))
        == [None] * THREADS
    )
    assert sorted(taken) == [False] * (THREADS - 1) + [True]
    assert db["presence"].count_documents({}) == 1
