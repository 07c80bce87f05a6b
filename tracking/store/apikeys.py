"""The ``apikeys`` collection: one document per issued key, holding only the key's SHA-256.

Fields: ``keyHash``, ``prefix``, ``label``, ``scope``, ``format`` (``wakatime`` for an editor key; missing on
keys from before editor keys, which are ``distrack``), ``userId``, ``deviceId``, ``createdAt``, ``lastUsedAt``,
``revokedAt``; ``_id`` is an ObjectId, shown to clients as its hex string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.database import Database

from tracking.domain.access import Caller, KeyFormat, Scope, display_prefix, hash_api_key
from tracking.store.client import indexes

COLLECTION = "apikeys"

# lastUsedAt is informative; writing it at most once a minute keeps reads from becoming writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@indexes
def create_apikey_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index("keyHash", unique=True, name="keyHash_1")
    db[COLLECTION].create_index("userId", name="userId_1")


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its hash: what may be listed."""

    id: str
    prefix: str
    label: str
    scope: Scope
    key_format: KeyFormat
    user_id: str | None
    device_id: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _api_key(document: dict[str, Any]) -> ApiKey:
    return ApiKey(
        id=str(document["_id"]),
        prefix=document["prefix"],
        label=document["label"],
        scope=document["scope"],
        key_format=document.get("format", "distrack"),
        user_id=document.get("userId"),
        device_id=document.get("deviceId"),
        created_at=document["createdAt"],
        last_used_at=document.get("lastUsedAt"),
        revoked_at=document.get("revokedAt"),
    )


def _object_id(key_id: str) -> ObjectId | None:
    return ObjectId(key_id) if ObjectId.is_valid(key_id) else None


def find_caller_by_hash(db: Database[Any], key_hash: str, *, now: datetime) -> Caller | None:
    """The caller a key stands for, or None when no active key has this hash."""
    document = db[COLLECTION].find_one({"keyHash": key_hash, "revokedAt": None})
    if document is None:
        return None
    last_used = document.get("lastUsedAt")
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        db[COLLECTION].update_one({"_id": document["_id"]}, {"$set": {"lastUsedAt": now}})
    return Caller(
        scope=document["scope"],
        user_id=document.get("userId"),
        key_id=str(document["_id"]),
        key_format=document.get("format", "distrack"),
    )


def insert_key(
    db: Database[Any],
    *,
    key: str,
    scope: Scope,
    label: str,
    user_id: str | None,
    device_id: str | None,
    now: datetime,
    key_format: KeyFormat = "distrack",
) -> ApiKey:
    """Store ``key`` by its hash (the key itself is never stored) and return what may be listed of it."""
    document = {
        "keyHash": hash_api_key(key),
        "prefix": display_prefix(key),
        "label": label,
        "scope": scope,
        "format": key_format,
        "userId": user_id,
        "deviceId": device_id,
        "createdAt": now,
        "lastUsedAt": None,
        "revokedAt": None,
    }
    db[COLLECTION].insert_one(document)
    return _api_key(document)


def find_keys(
    db: Database[Any],
    *,
    user_id: str | None,
    scope: Scope | None,
    include_revoked: bool,
    key_format: KeyFormat | None = None,
) -> list[ApiKey]:
    """Keys, newest first, optionally of one user, scope or format."""
    query: dict[str, Any] = {}
    if user_id is not None:
        query["userId"] = user_id
    if scope is not None:
        query["scope"] = scope
    if key_format == "wakatime":
        query["format"] = key_format
    elif key_format == "distrack":
        query["format"] = {"$ne": "wakatime"}
    if not include_revoked:
        query["revokedAt"] = None
    return [_api_key(document) for document in db[COLLECTION].find(query).sort([("createdAt", -1), ("_id", -1)])]


def find_key_by_id(db: Database[Any], key_id: str) -> ApiKey | None:
    object_id = _object_id(key_id)
    document = db[COLLECTION].find_one({"_id": object_id}) if object_id else None
    return _api_key(document) if document else None


def revoke_key_by_id(db: Database[Any], key_id: str, *, now: datetime) -> ApiKey | None:
    """Revoke a key (a key already revoked keeps its first revocation time); None when there is no such key."""
    object_id = _object_id(key_id)
    if object_id is None:
        return None
    db[COLLECTION].update_one({"_id": object_id, "revokedAt": None}, {"$set": {"revokedAt": now}})
    return find_key_by_id(db, key_id)


def bind_device_by_id(db: Database[Any], key_id: str, *, device_id: str, now: datetime) -> None:
    """Bind ``device_id`` to a key, and revoke the older keys of the same user and device (a relink)."""
    object_id = _object_id(key_id)
    if object_id is None:
        return
    document = db[COLLECTION].find_one_and_update(
        {"_id": object_id}, {"$set": {"deviceId": device_id}}, return_document=ReturnDocument.BEFORE
    )
    if document is None:
        return
    db[COLLECTION].update_many(
        {"userId": document["userId"], "deviceId": device_id, "revokedAt": None, "_id": {"$ne": object_id}},
        {"$set": {"revokedAt": now}},
    )


def delete_keys_by_user(db: Database[Any], user_id: str) -> int:
    """Every key of the user, revoked ones too (a deleted user keeps no key record)."""
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count
