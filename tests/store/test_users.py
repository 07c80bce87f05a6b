"""The users repository against the real database: defaults, BSON types, the username rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.database import Database

from tracking.domain.profiles import USER_LANGUAGE_KEYS
from tracking.store.users import ensure_user, find_user_by_id, new_user_document

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
USER_ID = "123456789012345678"


def test_new_user_document_has_every_default() -> None:
    document = new_user_document(user_id=USER_ID, username="ada", now=NOW)
    assert document["userId"] == USER_ID
    assert document["username"] == "ada"
    assert document["timezone"] == "UTC"
    assert document["isPublic"] is True
    assert document["premium"] is False and document["sponsor"] is False
    assert document["totalCodingTime"] == 0 and document["currentStreak"] == 0 and document["longestStreak"] == 0
    assert document["languages"] == {key: 0 for key in USER_LANGUAGE_KEYS}
    assert len(USER_LANGUAGE_KEYS) == 26
    assert document["createdAt"] == NOW and document["linkedAt"] == NOW
    assert "_id" not in document
    assert not {"linkCode", "linkAPIKey", "deviceId"} & document.keys()


def test_placeholder_or_missing_username_becomes_anonymous() -> None:
    assert new_user_document(user_id=USER_ID, username=None, now=NOW)["username"] == "Anonymous"
    assert new_user_document(user_id=USER_ID, username="EFU", now=NOW)["username"] == "Anonymous"


def test_ensure_user_creates_a_bot_compatible_document(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW)
    stored = db.users.find_one({"userId": USER_ID})
    assert stored is not None
    assert isinstance(stored["_id"], ObjectId)
    assert stored == {"_id": stored["_id"], **new_user_document(user_id=USER_ID, username="ada", now=NOW)}
    assert type(stored["premium"]) is bool and type(stored["sponsor"]) is bool
    assert type(stored["totalCodingTime"]) is int
    assert isinstance(stored["createdAt"], datetime)
    assert find_user_by_id(db, USER_ID) == stored


def test_ensure_user_is_idempotent_and_keeps_derived_fields(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW)
    db.users.update_one({"userId": USER_ID}, {"$set": {"totalCodingTime": 3600.5, "currentStreak": 3}})
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW + timedelta(days=1))
    stored = find_user_by_id(db, USER_ID)
    assert stored is not None
    assert db.users.count_documents({}) == 1
    assert (stored["totalCodingTime"], stored["currentStreak"], stored["createdAt"]) == (3600.5, 3, NOW)


def test_placeholder_never_replaces_a_known_name(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW)
    ensure_user(db, user_id=USER_ID, username="EFU", now=NOW)
    ensure_user(db, user_id=USER_ID, username=None, now=NOW)
    assert find_user_by_id(db, USER_ID)["username"] == "ada"  # type: ignore[index]


def test_a_real_name_updates_a_known_user(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username=None, now=NOW)
    assert find_user_by_id(db, USER_ID)["username"] == "Anonymous"  # type: ignore[index]
    ensure_user(db, user_id=USER_ID, username="grace", now=NOW)
    assert find_user_by_id(db, USER_ID)["username"] == "grace"  # type: ignore[index]


def test_user_id_index_is_unique_and_named_for_the_bot(db: Database[dict[str, Any]]) -> None:
    index = db.users.index_information()["userId_1"]
    assert index["key"] == [("userId", 1)]
    assert index["unique"] is True


def test_unknown_user_is_none(db: Database[dict[str, Any]]) -> None:
    assert find_user_by_id(db, "999999999999999999") is None
