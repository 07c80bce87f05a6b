"""The codingsessions repository against the development database: idempotent inserts, span reads, cleanup."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.replaced_server import insert_replaced_session
from tracking.domain.intervals import Span
from tracking.domain.sessions import NewSession
from tracking.store import client, sessions

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)
H = timedelta(hours=1)
ADA, BOB = "100000000000000001", "100000000000000002"


@pytest.fixture
def indexed(db: Database[Any]) -> Iterator[Database[Any]]:
    client.ensure_indexes(db)
    yield db


def session(session_id: str, end: datetime, *, user_id: str = ADA, hours: float = 1.0) -> NewSession:
    start = end - hours * H
    seconds = (end - start).total_seconds()
    return NewSession(session_id, user_id, "ada", start, end, {"python": seconds}, "distrack", "vscode")


def spans(*items: NewSession) -> list[Span]:
    return sorted((item.span() for item in items), key=lambda span: span.start)


def test_a_session_is_stored_with_its_user_scoped_key(indexed: Database[Any]) -> None:
    assert sessions.insert_sessions(indexed, [session("s1", NOW - H)], username="ada", now=NOW) == [True]
    [doc] = indexed["codingsessions"].find({}, {"_id": 0})
    assert doc == {
        "sessionKey": f"{ADA}|s1",
        "sessionId": "s1",
        "userId": ADA,
        "username": "ada",
        "startTime": NOW - 2 * H,
        "endTime": NOW - H,
        "duration": 3600.0,
        "languages": {"python": 3600.0},
        "projectName": "distrack",
        "editor": "vscode",
        "createdAt": NOW,
    }


def test_duplicates_are_reported_per_index_and_another_user_may_use_the_same_id(indexed: Database[Any]) -> None:
    sessions.insert_sessions(indexed, [session("s1", NOW - H)], username="ada", now=NOW)
    batch = [session("s2", NOW), session("s1", NOW - H), session("s2", NOW), session("s3", NOW - 3 * H)]
    assert sessions.insert_sessions(indexed, batch, username="ada", now=NOW) == [True, False, False, True]
    assert sessions.insert_sessions(indexed, [session("s1", NOW, user_id=BOB)], username="bob", now=NOW) == [True]
    assert sessions.insert_sessions(indexed, [], username="ada", now=NOW) == []
    assert sorted(doc["sessionKey"] for doc in indexed["codingsessions"].find()) == [
        f"{ADA}|s1",
        f"{ADA}|s2",
        f"{ADA}|s3",
        f"{BOB}|s1",
    ]


def test_spans_overlapping_one_range_or_several(indexed: Database[Any]) -> None:
    early, middle, late = session("early", NOW - 10 * H), session("middle", NOW - 5 * H), session("late", NOW)
    sessions.insert_sessions(indexed, [early, middle, late], username="ada", now=NOW)
    sessions.insert_sessions(indexed, [session("bob", NOW - 5 * H, user_id=BOB)], username="bob", now=NOW)
    # Replaced server's session: never read by this server's span queries.
    insert_replaced_session(indexed, ADA, session_date=NOW - 5 * H, seconds=3600.0)

    def between(start: datetime, end: datetime) -> list[Span]:
        found = sessions.find_spans_by_user_between(indexed, user_id=ADA, start=start, end=end)
        return sorted(found, key=lambda span: span.start)

    assert between(NOW - 6 * H, NOW - 5 * H) == spans(middle)
    # Touching is not overlapping: [start, end) ranges.
    assert between(NOW - 5 * H, NOW - 2 * H) == []
    assert between(NOW - 12 * H, NOW) == spans(early, middle, late)

    def within(*ranges: tuple[datetime, datetime]) -> list[Span]:
        found = sessions.find_spans_by_user_within(indexed, user_id=ADA, ranges=list(ranges))
        return sorted(found, key=lambda span: span.start)

    assert within((NOW - 10.5 * H, NOW - 10 * H), (NOW - 0.5 * H, NOW + H)) == spans(early, late)
    assert within((NOW - 6 * H, NOW - 5.5 * H)) == spans(middle)
    assert within((NOW - 4 * H, NOW - 2 * H)) == []
    assert sorted(sessions.find_spans_by_user(indexed, ADA), key=lambda span: span.start) == spans(early, middle, late)
    assert sessions.find_latest_end_by_user(indexed, ADA) == NOW
    assert sessions.find_latest_end_by_user(indexed, "unknown") is None


def test_sessions_created_since_for_the_credit_sweep(indexed: Database[Any]) -> None:
    sessions.insert_sessions(indexed, [session("old", NOW - 5 * H)], username="ada", now=NOW - H)
    sessions.insert_sessions(indexed, [session("new", NOW - H)], username="ada", now=NOW)
    sessions.insert_sessions(indexed, [session("bob", NOW, user_id=BOB)], username="bob", now=NOW)
    insert_replaced_session(indexed, "100000000000000009", session_date=NOW, seconds=60.0)
    assert sessions.find_user_ids_created_since(indexed, NOW) == [ADA, BOB]
    assert sessions.find_user_ids_created_since(indexed, NOW + timedelta(milliseconds=1)) == []
    assert sessions.find_spans_by_user_created_since(indexed, user_id=ADA, since=NOW) == [Span(NOW - 2 * H, NOW - H)]


def test_counts_and_the_admin_views(indexed: Database[Any]) -> None:
    sessions.insert_sessions(indexed, [session("first", NOW - 5 * H)], username="ada", now=NOW - H)
    sessions.insert_sessions(indexed, [session("last", NOW)], username="ada", now=NOW)
    assert sessions.count_sessions(indexed) == 2
    assert sessions.count_sessions_ended_since(indexed, NOW) == 1
    assert sessions.count_sessions_ended_since(indexed, NOW + timedelta(milliseconds=1)) == 0
    oldest = sessions.find_edge_session(indexed, newest=False)
    assert oldest is not None
    assert set(oldest) == set(sessions.ADMIN_SESSION_FIELDS) - {"_id"}
    newest = sessions.find_edge_session(indexed, newest=True)
    assert newest is not None
    assert (oldest["sessionId"], newest["sessionId"]) == ("first", "last")
    assert [doc["sessionId"] for doc in sessions.find_recent_sessions(indexed, limit=5)] == ["last", "first"]
    assert [doc["sessionId"] for doc in sessions.find_recent_sessions(indexed, limit=1)] == ["last"]


def test_the_cleanup_reads_and_deletes_old_sessions_the_replaced_servers_too(indexed: Database[Any]) -> None:
    cutoff = NOW - 24 * H
    old, recent = session("old", cutoff - timedelta(milliseconds=1)), session("recent", cutoff)
    sessions.insert_sessions(indexed, [old, recent], username="ada", now=NOW)
    sessions.insert_sessions(indexed, [session("bob", cutoff - H, user_id=BOB)], username="bob", now=NOW)
    insert_replaced_session(indexed, BOB, session_date=cutoff - 3 * H, seconds=3600.0)
    assert sessions.find_user_ids_with_sessions_ended_before(indexed, cutoff) == [ADA, BOB]

    found = sessions.find_sessions_by_users_ended_before(indexed, user_ids=[ADA, BOB], cutoff=cutoff)
    assert sorted((item.user_id, item.start, item.end) for item in found) == [
        (ADA, old.start, old.end),
        (BOB, cutoff - 3 * H, cutoff - 2 * H),
        (BOB, cutoff - 2 * H, cutoff - H),
    ]
    assert sessions.find_sessions_by_users_ended_before(indexed, user_ids=[BOB], cutoff=cutoff - 2 * H) == []

    ada_old = [item.id for item in found if item.user_id == ADA]
    assert sessions.delete_sessions_by_ids(indexed, ada_old) == 1
    assert sessions.delete_sessions_by_ids(indexed, ada_old) == 0
    assert sessions.delete_sessions_by_ids(indexed, []) == 0
    assert sorted(doc.get("sessionId", "") for doc in indexed["codingsessions"].find()) == ["", "bob", "recent"]
