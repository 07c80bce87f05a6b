"""The ``linkcodes`` collection: one document per issued link code, holding only the code's hash.

Fields: ``codeHash``, ``userId``, ``createdAt``, ``expiresAt``, ``usedAt``; once used, ``keyId`` and,
until the extension picks its key up, ``pickupKey``/``pickupSalt`` (the issued key sealed with the
code, see tracking.domain.linking). The link flow itself is tracking.services.linking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.store.client import indexes

COLLECTION = "linkcodes"


@indexes
def create_linkcode_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index("codeHash", unique=True, name="codeHash_1")
    db[COLLECTION].create_index("userId", name="userId_1")


@dataclass(frozen=True)
class ConsumedCode:
    id: str
    user_id: str
    expires_at: datetime


@dataclass(frozen=True)
class PendingKey:
    """A key issued by a link and not yet picked up: its id, sealed with the code."""

    key_id: str
    sealed: bytes
    salt: bytes
    expires_at: datetime


def delete_expired(db: Database[Any], *, now: datetime) -> None:
    # No TTL index (FerretDB has none): expired codes, and any key sealed in them, go on the next use.
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})


def delete_codes_by_user(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count


def insert_code(db: Database[Any], *, code_hash: str, user_id: str, now: datetime, expires_at: datetime) -> bool:
    """Store a new unused code; False when another code with this hash is stored right now."""
    document = {"codeHash": code_hash, "userId": user_id, "createdAt": now, "expiresAt": expires_at, "usedAt": None}
    try:
        db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def find_unused_by_hash(db: Database[Any], code_hash: str, *, now: datetime) -> ConsumedCode | None:
    """The unused, unexpired code with this hash (the link flow claims it before using it)."""
    document = db[COLLECTION].find_one({"codeHash": code_hash, "usedAt": None, "expiresAt": {"$gt": now}})
    if document is None:
        return None
    return ConsumedCode(id=str(document["_id"]), user_id=document["userId"], expires_at=document["expiresAt"])


def mark_used_by_id(db: Database[Any], code_id: str, *, now: datetime) -> None:
    db[COLLECTION].update_one({"_id": ObjectId(code_id)}, {"$set": {"usedAt": now}})


def exists_by_hash(db: Database[Any], code_hash: str) -> bool:
    return db[COLLECTION].find_one({"codeHash": code_hash}, {"_id": 1}) is not None


def attach_pending_key_by_id(db: Database[Any], code_id: str, *, key_id: str, sealed: bytes, salt: bytes) -> None:
    db[COLLECTION].update_one(
        {"_id": ObjectId(code_id)},
        {"$set": {"keyId": ObjectId(key_id), "pickupKey": sealed, "pickupSalt": salt}},
    )


def _pending_query(code_hash: str, now: datetime) -> dict[str, Any]:
    return {"codeHash": code_hash, "usedAt": {"$ne": None}, "expiresAt": {"$gt": now}, "pickupKey": {"$exists": True}}


def _pending_key(document: dict[str, Any]) -> PendingKey:
    return PendingKey(
        key_id=str(document["keyId"]),
        sealed=document["pickupKey"],
        salt=document["pickupSalt"],
        expires_at=document["expiresAt"],
    )


def find_pending_key_by_hash(db: Database[Any], code_hash: str, *, now: datetime) -> PendingKey | None:
    document = db[COLLECTION].find_one(_pending_query(code_hash, now))
    return _pending_key(document) if document else None


def remove_pending_key_by_hash(db: Database[Any], code_hash: str) -> None:
    """Forget the sealed key once picked up (the link flow's claim made the pickup single)."""
    db[COLLECTION].update_one({"codeHash": code_hash}, {"$unset": {"pickupKey": "", "pickupSalt": ""}})
