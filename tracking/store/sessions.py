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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from tracking.domain.intervals import Span
from tracking.domain.sessions import MAX_DURATION, NewSession
from tracking.store.client import indexes, insert_new

COLLECTION = "codingsessions"
TRACKED = {"sessionKey": {"$exists": True}}
# Deletes send at most this many ids per command.
DELETE_CHUNK = 500


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


def _document(session: NewSession, *, username: str | None, now: datetime) -> dict[str, Any]:
    return {
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


def insert_sessions(
    db: Database[Any], sessions: Sequence[NewSession], *, username: str | None, now: datetime
) -> list[bool]:
    """Store the sessions in one write; per session, False when the user already had one with its id."""
    return insert_new(db[COLLECTION], [_document(session, username=username, now=now) for session in sessions])


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


def find_spans_by_user_within(
    db: Database[Any], *, user_id: str, ranges: Sequence[tuple[datetime, datetime]]
) -> list[Span]:
    """The user's sessions that overlap any of ``ranges``, as spans, in one query."""
    overlaps = [
        # No session is longer than MAX_DURATION: the upper bound on endTime lets the index limit the scan.
        {"endTime": {"$gt": start, "$lt": end + MAX_DURATION}, "startTime": {"$lt": end}}
        for start, end in ranges
    ]
    query = {**TRACKED, "userId": user_id, "$or": overlaps}
    cursor = db[COLLECTION].find(query, {"_id": 0, "startTime": 1, "endTime": 1, "languages": 1})
    return [Span(doc["startTime"], doc["endTime"], doc.get("languages") or {}) for doc in cursor]


def find_spans_by_user(db: Database[Any], user_id: str) -> list[Span]:
    """Every session of the user, as spans (the repair reads them all)."""
    cursor = db[COLLECTION].find({**TRACKED, "userId": user_id}, {"startTime": 1, "endTime": 1, "languages": 1})
    return [Span(doc["startTime"], doc["endTime"], doc.get("languages") or {}) for doc in cursor]


def find_user_ids_created_since(db: Database[Any], since: datetime) -> list[str]:
    """The users with a session stored at or after ``since`` (the credit sweep checks them)."""
    return sorted(db[COLLECTION].distinct("userId", {**TRACKED, "createdAt": {"$gte": since}}))


def find_spans_by_user_created_since(db: Database[Any], *, user_id: str, since: datetime) -> list[Span]:
    cursor = db[COLLECTION].find(
        {**TRACKED, "userId": user_id, "createdAt": {"$gte": since}}, {"_id": 0, "startTime": 1, "endTime": 1}
    )
    return [Span(doc["startTime"], doc["endTime"]) for doc in cursor]


def find_latest_end_by_user(db: Database[Any], user_id: str) -> datetime | None:
    cursor = db[COLLECTION].find({**TRACKED, "userId": user_id}, {"endTime": 1}).sort("endTime", DESCENDING).limit(1)
    latest = next(iter(cursor), None)
    return latest["endTime"] if latest else None


# Added for the reports services (merge into the repository)

# The session fields the admin routes show: never the whole stored document.
ADMIN_SESSION_FIELDS = {
    "_id": 0,
    "sessionId": 1,
    "userId": 1,
    "username": 1,
    "startTime": 1,
    "endTime": 1,
    "duration": 1,
    "languages": 1,
    "projectName": 1,
    "editor": 1,
    "createdAt": 1,
}


def count_sessions(db: Database[Any]) -> int:
    return db[COLLECTION].count_documents({})


def estimate_session_count(db: Database[Any]) -> int:
    """The collection's own count (its metadata, no scan): for figures read often, where exact to the last
    session after a crash of the server does not matter."""
    return db[COLLECTION].estimated_document_count()


def count_sessions_ended_since(db: Database[Any], since: datetime) -> int:
    return db[COLLECTION].count_documents({"endTime": {"$gte": since}})


def find_edge_session(db: Database[Any], *, newest: bool) -> dict[str, Any] | None:
    """The session that ended first (or last), with ADMIN_SESSION_FIELDS only."""
    cursor = db[COLLECTION].find({}, ADMIN_SESSION_FIELDS).sort("endTime", DESCENDING if newest else ASCENDING).limit(1)
    return next(iter(cursor), None)


def find_recent_sessions(db: Database[Any], *, limit: int) -> list[dict[str, Any]]:
    """The sessions recorded last (``createdAt`` descending), with ADMIN_SESSION_FIELDS only."""
    return list(db[COLLECTION].find({}, ADMIN_SESSION_FIELDS).sort("createdAt", DESCENDING).limit(limit))


# The retention cleanup's reads and deletes. They include the replaced server's sessions (no TRACKED filter):
# those go too once their days are summed.


@dataclass(frozen=True)
class EndedSession:
    """A stored session's id, user and interval, as the cleanup sees it."""

    id: ObjectId
    user_id: str
    start: datetime
    end: datetime


def find_user_ids_with_sessions_ended_before(db: Database[Any], cutoff: datetime) -> list[str]:
    """The users who have a session that ended before ``cutoff``, sorted so batches are stable."""
    return sorted(db[COLLECTION].distinct("userId", {"endTime": {"$lt": cutoff}}))


def find_sessions_by_users_ended_before(
    db: Database[Any], *, user_ids: Sequence[str], cutoff: datetime
) -> list[EndedSession]:
    query = {"userId": {"$in": list(user_ids)}, "endTime": {"$lt": cutoff}}
    cursor = db[COLLECTION].find(query, {"userId": 1, "startTime": 1, "endTime": 1})
    return [EndedSession(doc["_id"], doc["userId"], doc["startTime"], doc["endTime"]) for doc in cursor]


def delete_sessions_by_ids(db: Database[Any], ids: Sequence[ObjectId]) -> int:
    """Delete these sessions, ``DELETE_CHUNK`` ids per command; returns how many were deleted."""
    deleted = 0
    for start in range(0, len(ids), DELETE_CHUNK):
        deleted += db[COLLECTION].delete_many({"_id": {"$in": list(ids[start : start + DELETE_CHUNK])}}).deleted_count
    return deleted


# Stats and a user's own data (issue 13)


def sum_sessions_between(db: Database[Any], *, start: datetime, end: datetime) -> tuple[int, float]:
    """How many sessions overlap ``[start, end)`` and their seconds in all, counted and summed by the server.

    Two commands, not one ``$group`` with two ``$sum``: FerretDB v1.24 answers 0 for every accumulator after
    the first.
    """
    query = {**TRACKED, "endTime": {"$gt": start, "$lt": end + MAX_DURATION}, "startTime": {"$lt": end}}
    count = db[COLLECTION].count_documents(query)
    if not count:
        return 0, 0.0
    rows = list(
        db[COLLECTION].aggregate([{"$match": query}, {"$group": {"_id": None, "seconds": {"$sum": "$duration"}}}])
    )
    return count, float(rows[0]["seconds"]) if rows else 0.0


# The fields a user's export shows of each of their sessions, in the order they were stored.
EXPORT_SESSION_FIELDS = {key: value for key, value in ADMIN_SESSION_FIELDS.items() if key != "userId"}


def find_sessions_by_user_after(
    db: Database[Any], *, user_id: str, after: ObjectId | None, limit: int
) -> tuple[list[dict[str, Any]], ObjectId | None]:
    """One page of the user's sessions in ``_id`` order, and the ``_id`` to continue after (None at the end)."""
    query: dict[str, Any] = {"userId": user_id}
    if after is not None:
        query["_id"] = {"$gt": after}
    page = list(db[COLLECTION].find(query, {**EXPORT_SESSION_FIELDS, "_id": 1}).sort("_id", ASCENDING).limit(limit))
    ids = [document.pop("_id") for document in page]
    return page, ids[-1] if len(page) == limit else None


HISTORY_SESSION_FIELDS = dict.fromkeys(
    ("sessionId", "startTime", "endTime", "duration", "languages", "projectName", "editor"), 1
) | {"_id": 0}


@dataclass(frozen=True)
class RecordedSession:
    """A session as its user's history shows it."""

    session_id: str
    start: datetime
    end: datetime
    duration: float
    languages: dict[str, float]
    project_name: str | None
    editor: str | None


def find_sessions_by_user_ended_between(
    db: Database[Any],
    *,
    user_id: str,
    start: datetime,
    end: datetime,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[RecordedSession]:
    """The user's sessions that ended in ``[start, end]``, newest first (end, then sessionId, descending),
    after the position ``before`` when given: keyset paging along ``userId_1_endTime_-1``."""
    query: dict[str, Any] = {**TRACKED, "userId": user_id, "endTime": {"$gte": start, "$lte": end}}
    if before is not None:
        last_end, last_id = before
        query["$or"] = [{"endTime": {"$lt": last_end}}, {"endTime": last_end, "sessionId": {"$lt": last_id}}]
    cursor = (
        db[COLLECTION]
        .find(query, HISTORY_SESSION_FIELDS)
        .sort([("endTime", DESCENDING), ("sessionId", DESCENDING)])
        .limit(limit)
    )
    return [
        RecordedSession(
            session_id=doc["sessionId"],
            start=doc["startTime"],
            end=doc["endTime"],
            duration=doc["duration"],
            languages=doc.get("languages") or {},
            project_name=doc.get("projectName"),
            editor=doc.get("editor"),
        )
        for doc in cursor
    ]


def delete_sessions_by_user(db: Database[Any], user_id: str) -> int:
    """Every session of the user, the replaced server's too."""
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count
