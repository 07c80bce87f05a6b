"""The linkcodes repository: one use per code, expiry, the sealed key taken once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.database import Database

from tracking.store import linkcodes

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)
KEY_ID = str(ObjectId())


def _issue(db: Database[dict[str, Any]], code_hash: str = "hash-a", user_id: str = "1") -> bool:
    return linkcodes.insert_code(db, code_hash=code_hash, user_id=user_id, now=NOW, expires_at=LATER)


def test_a_hash_is_held_by_one_code_at_a_time(db: Database[dict[str, Any]]) -> None:
    assert _issue(db) is True
    assert _issue(db, user_id="2") is False
    assert db.linkcodes.find_one({}, {"_id": 0}) == {
        "codeHash": "hash-a",
        "userId": "1",
        "createdAt": NOW,
        "expiresAt": LATER,
        "usedAt": None,
    }


def test_a_code_is_consumed_once_and_not_after_it_expires(db: Database[dict[str, Any]]) -> None:
    _issue(db)
    _issue(db, "hash-b")
    consumed = linkcodes.find_unused_by_hash(db, "hash-a", now=NOW)
    assert consumed is not None and (consumed.user_id, consumed.expires_at) == ("1", LATER)
    linkcodes.mark_used_by_id(db, consumed.id, now=NOW)
    assert linkcodes.find_unused_by_hash(db, "hash-a", now=NOW) is None
    assert db.linkcodes.find_one({"codeHash": "hash-a"})["usedAt"] == NOW  # type: ignore[index]
    assert linkcodes.exists_by_hash(db, "hash-a") and not linkcodes.exists_by_hash(db, "hash-c")
    assert linkcodes.find_unused_by_hash(db, "hash-b", now=LATER) is None
    linkcodes.delete_expired(db, now=LATER)
    assert db.linkcodes.count_documents({}) == 0


def test_the_sealed_key_is_held_until_removed(db: Database[dict[str, Any]]) -> None:
    _issue(db)
    consumed = linkcodes.find_unused_by_hash(db, "hash-a", now=NOW)
    assert consumed is not None
    linkcodes.mark_used_by_id(db, consumed.id, now=NOW)
    assert linkcodes.find_pending_key_by_hash(db, "hash-a", now=NOW) is None
    linkcodes.attach_pending_key_by_id(db, consumed.id, key_id=KEY_ID, sealed=b"sealed", salt=b"salt")
    pending = linkcodes.PendingKey(key_id=KEY_ID, sealed=b"sealed", salt=b"salt", expires_at=LATER)
    assert linkcodes.find_pending_key_by_hash(db, "hash-a", now=NOW) == pending
    assert db.linkcodes.find_one({})["keyId"] == ObjectId(KEY_ID)  # type: ignore[index]
    linkcodes.remove_pending_key_by_hash(db, "hash-a")
    assert linkcodes.find_pending_key_by_hash(db, "hash-a", now=NOW) is None


def test_a_users_codes_are_deleted(db: Database[dict[str, Any]]) -> None:
    _issue(db)
    _issue(db, "hash-b", user_id="2")
    linkcodes.delete_codes_by_user(db, "1")
    assert [doc["userId"] for doc in db.linkcodes.find({})] == ["2"]
