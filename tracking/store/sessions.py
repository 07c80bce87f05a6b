"""The ``codingsessions`` collection: the source of truth, one document per session.

The unique ``sessionKey`` (``<userId>|<sessionId>``) makes ingest idempotent: a replayed session
fails the insert with a duplicate key and changes nothing, and one user cannot block another's
client id. ``sessionId`` is the client's id, or a hash of the user and the interval when the
client sends none.

The collection also holds the replaced server's sessions, which have no ``sessionKey`` (and
shifted times: their ``startTime`` is the real end). Their time is already in the users'
``totalCodingTime``, kept as ``baselineCodingTime``, so every read here skips them
(``TRACKED``) and the unique index is sparse so that they do not collide on a missing key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.domain.intervals import Span
from tracking.domain.sessions import MAX_DURATION, NewSession
from tracking.store.client import indexes

COLLECTION = "codingsessions"
TRACKED = {"sessionKey": {"$exists": True}}


def session_key(user_id: str, session_id: str) -> str:
    return f"{user_id}|{session_id}"


@indexes
def create_session_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index("sessionKey", unique=True, sparse=True, name="sessionKey_1")
    # The replaced server's unique sessionId_1 would make one user's client id block another's.
    if "sessionId_1" in db[COLLECTION].index_information():
        db[COLLECTION].drop_index("sessionId_1")
    db[COLLECTION].create_index([("userId", ASCENDING), ("endTime", DESCENDING)], name="userId_1_endTime_-1")
    db[COLLECTION].create_index("endTime", name="endTime_1")


def insert_session(db: Database[Any], session: NewSession, *, username: str | None, now: datetime) -> bool:
    """Store the session; False when the user already has a session with this id."""
    try:
        db[COLLECTION].insert_one(
            {
                "sessionKey": session_key(session.user_id, session.session_id),
                "sessionId": session.session_id,
                "userId": session.user_id,
                "username": username,
                "startTime": session.start,
                "endTime": session.end,
                "duration": session.duration,
                "languages": session.languages,
                "projectName": session.project_name,
                "editor": session.editor,
                "createdAt": now,
            }
        )
    except DuplicateKeyError:
        return False
    return True


def find_spans_by_user_between(db: Database[Any], *, user_id: str, start: datetime, end: datetime) -> list[Span]:
    """The user's sessions that overlap ``[start, end)``, as spans."""
    query = {
        **TRACKED,
        "userId": user_id,
        # No session is longer than MAX_DURATION: this bound lets the index limit the scan.
        "endTime": {"$gt": start, "$lt": end + MAX_DURATION},
        "startTime": {"$lt": end},
    }
    cursor = db[COLLECTION].find(query, {"startTime": 1, "endTime": 1, "languages": 1})
    return [Span(doc["startTime"], doc["endTime"], doc.get("languages") or {}) for doc in cursor]


def find_spans_by_user(db: Database[Any], user_id: str) -> list[Span]:
    """Every session of the user, as spans (the repair reads them all)."""
    cursor = db[COLLECTION].find({**TRACKED, "userId": user_id}, {"startTime": 1, "endTime": 1, "languages": 1})
    return [Span(doc["startTime"], doc["endTime"], doc.get("languages") or {}) for doc in cursor]


def find_latest_end_by_user(db: Database[Any], user_id: str) -> datetime | None:
    cursor = db[COLLECTION].find({**TRACKED, "userId": user_id}, {"endTime": 1}).sort("endTime", DESCENDING).limit(1)
    latest = next(iter(cursor), None)
    return latest["endTime"] if latest else None
