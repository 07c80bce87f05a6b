"""The sign-in repositories: a state is used by exactly one caller however many race; sessions live and go."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.store import oauthstates, websessions

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)


def test_one_caller_uses_a_state(db: Database[dict[str, Any]]) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        used = list(pool.map(lambda _: oauthstates.claim_by_id(db, "s1", expires_at=LATER, now=NOW), range(40)))
    assert sum(used) == 1
    assert oauthstates.claim_by_id(db, "s2", expires_at=LATER, now=NOW) is True
    assert sorted(doc["_id"] for doc in db.oauthstates.find()) == ["s1", "s2"]


def test_expired_states_are_deleted_as_new_ones_are_used(db: Database[dict[str, Any]]) -> None:
    oauthstates.claim_by_id(db, "old", expires_at=NOW, now=NOW - timedelta(minutes=5))
    assert oauthstates.claim_by_id(db, "new", expires_at=LATER, now=NOW) is True
    assert [doc["_id"] for doc in db.oauthstates.find()] == ["new"]


def test_a_session_is_active_until_it_expires_or_is_deleted(db: Database[dict[str, Any]]) -> None:
    week = NOW + timedelta(days=7)
    websessions.insert_session(db, session_id="a", user_id="111", now=NOW, expires_at=week)
    websessions.insert_session(db, session_id="b", user_id="111", now=NOW, expires_at=week)
    websessions.insert_session(db, session_id="c", user_id="222", now=NOW, expires_at=week)
    assert websessions.is_active_by_id(db, "a", user_id="111", now=NOW) is True
    assert websessions.is_active_by_id(db, "a", user_id="222", now=NOW) is False  # another user's claim
    assert websessions.is_active_by_id(db, "a", user_id="111", now=week) is False
    assert websessions.delete_session_by_id(db, "a") == 1
    assert websessions.is_active_by_id(db, "a", user_id="111", now=NOW) is False
    assert websessions.delete_sessions_by_user(db, "111") == 1
    assert [doc["_id"] for doc in db.websessions.find()] == ["c"]


def test_expired_sessions_are_deleted_as_new_ones_start(db: Database[dict[str, Any]]) -> None:
    websessions.insert_session(db, session_id="old", user_id="111", now=NOW, expires_at=NOW + timedelta(days=7))
    websessions.insert_session(db, session_id="new", user_id="111", now=NOW + timedelta(days=8), expires_at=LATER)
    assert [doc["_id"] for doc in db.websessions.find()] == ["new"]
