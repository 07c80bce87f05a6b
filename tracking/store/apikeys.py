"""The ``apikeys`` collection: one document per issued key, holding only the key's SHA-256."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.domain.access import Caller
from tracking.store.client import indexes

COLLECTION = "apikeys"

# lastUsedAt is informative; writing it at most once a minute keeps reads from becoming writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@indexes
def create_apikey_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index("keyHash", unique=True, name="keyHash_1")
    db[COLLECTION].create_index("userId", name="userId_1")


def find_caller_by_hash(db: Database[Any], key_hash: str, *, now: datetime) -> Caller | None:
    """The caller a key stands for, or None when no active key has this hash."""
    document = db[COLLECTION].find_one({"keyHash": key_hash, "revokedAt": None})
    if document is None:
        return None
    last_used = document.get("lastUsedAt")
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        db[COLLECTION].update_one({"_id": document["_id"]}, {"$set": {"lastUsedAt": now}})
    return Caller(scope=document["scope"], user_id=document.get("userId"), key_id=str(document["_id"]))
