"""The ``users`` collection: the DisTrack user document, shared with the Discord bot.

The bot reads and saves these documents with Mongoose, so ``_id`` is an ObjectId (left to the
database), numbers are numbers, dates are BSON dates and the unique index is named ``userId_1``.
Session ingest ``$set``s the derived fields (totals, languages, streaks, achievements); this module
writes them only as defaults when it creates a user.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.domain import profiles
from tracking.store import boards
from tracking.store.client import indexes

COLLECTION = "users"


@indexes
def create_user_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index("userId", unique=True, name="userId_1")


def new_user_document(*, user_id: str, username: str | None, now: datetime) -> dict[str, Any]:
    """A complete new user document with every default (see tracking.domain.profiles)."""
    return profiles.new_user_document(user_id=user_id, username=username, now=now)


def ensure_user(db: Database[Any], *, user_id: str, username: str | None, now: datetime) -> None:
    """Create the user with every default if absent; a real ``username`` updates a known user's name.

    None and the extension's placeholder ``"EFU"`` never replace a known name. The new document is
    inserted whole rather than upserted with ``$setOnInsert``, because FerretDB v1.24 drops null and
    empty-array values from ``$setOnInsert`` and the bot needs every field.
    """
    if profiles.is_real_username(username):
        if db[COLLECTION].update_one({"userId": user_id}, {"$set": {"username": username}}).matched_count:
            return
    elif db[COLLECTION].find_one({"userId": user_id}, {"_id": 1}) is not None:
        return
    try:
        db[COLLECTION].insert_one(new_user_document(user_id=user_id, username=username, now=now))
    except DuplicateKeyError:
        # Another request created the user between our read and our insert: only the name is left to set.
        if profiles.is_real_username(username):
            db[COLLECTION].update_one({"userId": user_id}, {"$set": {"username": username}})


def find_user_by_id(db: Database[Any], user_id: str) -> dict[str, Any] | None:
    return db[COLLECTION].find_one({"userId": user_id})


def find_user_ids_after(db: Database[Any], *, after: str | None, limit: int) -> list[str]:
    """The next ``limit`` user ids in ascending order after ``after`` (from the first when None)."""
    query = {} if after is None else {"userId": {"$gt": after}}
    cursor = db[COLLECTION].find(query, {"_id": 0, "userId": 1}).sort("userId", ASCENDING).limit(limit)
    return [doc["userId"] for doc in cursor]


def link_user(
    db: Database[Any],
    *,
    user_id: str,
    username: str,
    display_name: str | None,
    avatar_url: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Create or update a user (POST /link): the name, and the display name and avatar when given."""
    ensure_user(db, user_id=user_id, username=username, now=now)
    changes: dict[str, Any] = {"username": username, "lastLinkedAt": now, "updatedAt": now}
    if display_name is not None:
        changes["displayName"] = display_name
    if avatar_url is not None:
        changes["avatarUrl"] = avatar_url
    return _set_existing_by_id(db, user_id, changes)


def _set_by_id(db: Database[Any], user_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    return db[COLLECTION].find_one_and_update(
        {"userId": user_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )


def update_profile_by_id(
    db: Database[Any], user_id: str, changes: dict[str, Any], *, now: datetime, zone: ZoneInfo
) -> dict[str, Any] | None:
    """Apply validated profile ``changes``; None when there is no such user."""
    user = _set_by_id(db, user_id, {**changes, "updatedAt": now})
    if user is not None and "isPublic" in changes:
        # Visibility decides whether the user is on the boards (in the board time zone ``zone``).
        boards.rebuild_user_boards(db, user_id=user_id, now=now, zone=zone)
    return user


def unarchive_by_id(db: Database[Any], user_id: str, *, now: datetime) -> None:
    """A user who codes again is no longer archived (the cleanup archives after a year without sessions)."""
    db[COLLECTION].update_one(
        {"userId": user_id, "archived": True}, {"$set": {"archived": False, "archivedAt": None, "updatedAt": now}}
    )


def mark_extension_linked_by_id(db: Database[Any], user_id: str, *, now: datetime) -> dict[str, Any]:
    return _set_existing_by_id(db, user_id, {"extensionLinked": True, "lastLinkedAt": now, "updatedAt": now})


def _set_existing_by_id(db: Database[Any], user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """``$set`` on a user the caller has just found or created; its absence is a bug, not a 404."""
    user = _set_by_id(db, user_id, changes)
    if user is None:
        raise LookupError(f"user {user_id} vanished during the update")
    return user


def find_public_users_by_text(db: Database[Any], *, text: str, limit: int) -> list[dict[str, Any]]:
    """Public, unarchived users whose username or display name contains ``text``, ignoring case.

    The text is escaped: user input is matched literally, never compiled as a pattern.
    """
    pattern = {"$regex": re.escape(text), "$options": "i"}
    query = {
        "$or": [{"username": pattern}, {"displayName": pattern}],
        "isPublic": {"$ne": False},
        "archived": {"$ne": True},
    }
    return list(db[COLLECTION].find(query).sort([("totalCodingTime", -1), ("userId", 1)]).limit(limit))


# Added for the accounts services (merge into the repository)


def set_profile_fields_by_id(
    db: Database[Any], user_id: str, changes: dict[str, Any], *, now: datetime
) -> dict[str, Any] | None:
    """``$set`` validated profile ``changes`` and ``updatedAt``; the updated user, None when there is no such user.

    Unlike update_profile_by_id this touches nothing else: relisting on the boards is the service's call.
    """
    return _set_by_id(db, user_id, {**changes, "updatedAt": now})


# What the boards show of a user beside their entry, and what decides whether they are listed.
LISTING_FIELDS = dict.fromkeys(("userId", "username", "displayName", "avatarUrl", "isPublic", "archived"), 1)


def find_listings_by_ids(db: Database[Any], user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Names, avatar and visibility of the users with these ids (one ``$in``), by userId; absent users are left out."""
    if not user_ids:
        return {}
    return {doc["userId"]: doc for doc in db[COLLECTION].find({"userId": {"$in": user_ids}}, LISTING_FIELDS)}


def insert_new_users(db: Database[Any], *, names: dict[str, str], now: datetime) -> None:
    """Create many users (``{userId: username}``) with every default in one batched insert; all must be new."""
    documents = [new_user_document(user_id=user_id, username=name, now=now) for user_id, name in names.items()]
    if documents:
        db[COLLECTION].insert_many(documents, ordered=False)
