"""The ``websessions`` collection: one document per website session (Sign in with Discord) that is still valid.

``_id`` is the session token's ``jti``, with ``userId``, ``createdAt`` and ``expiresAt``. The token alone
proves nothing: a request is let in only while its session's document exists, so a logout (which deletes
it) or the user's deletion refuses the token at once. Expired sessions are deleted as new ones are made
(no TTL index: FerretDB has none).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from tracking.store.client import indexes

COLLECTION = "websessions"


@indexes
def create_websession_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("userId", ASCENDING)], name="userId_1")
    db[COLLECTION].create_index([("expiresAt", ASCENDING)], name="expiresAt_1")


def insert_session(db: Database[Any], *, session_id: str, user_id: str, now: datetime, expires_at: datetime) -> None:
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})
    db[COLLECTION].insert_one({"_id": session_id, "userId": user_id, "createdAt": now, "expiresAt": expires_at})


def is_active_by_id(db: Database[Any], session_id: str, *, user_id: str, now: datetime) -> bool:
    query = {"_id": session_id, "userId": user_id, "expiresAt": {"$gt": now}}
    return db[COLLECTION].find_one(query, {"_id": 1}) is not None


def delete_session_by_id(db: Database[Any], session_id: str) -> int:
    return db[COLLECTION].delete_one({"_id": session_id}).deleted_count


def delete_sessions_by_user(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count
