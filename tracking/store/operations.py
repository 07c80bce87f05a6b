"""Read-only operations queries: collection counts, database size, recent sessions, consistency checks.

Only ``count``, ``find``, ``distinct`` and the ``dbStats`` command, which MongoDB and FerretDB both serve.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.database import Database

SESSIONS = "codingsessions"
SNAPSHOTS = "leaderboardsnapshots"
USERS = "users"

# The session fields operations routes show: never the whole stored document.
SESSION_FIELDS = {
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


def count_documents(db: Database[Any], collection: str, query: dict[str, Any] | None = None) -> int:
    return db[collection].count_documents(query or {})


def size_in_bytes(db: Database[Any]) -> int:
    """Storage plus index size from ``dbStats`` (0 for a database that does not exist yet)."""
    stats = db.command("dbStats")
    return int(stats.get("storageSize", 0)) + int(stats.get("indexSize", 0))


def find_edge_session(db: Database[Any], *, newest: bool) -> dict[str, Any] | None:
    """The session that ended first (or last)."""
    cursor = db[SESSIONS].find({}, SESSION_FIELDS).sort("endTime", DESCENDING if newest else 1).limit(1)
    return next(iter(cursor), None)


def find_recent_sessions(db: Database[Any], *, limit: int) -> list[dict[str, Any]]:
    """The sessions recorded last (``createdAt`` descending)."""
    return list(db[SESSIONS].find({}, SESSION_FIELDS).sort("createdAt", DESCENDING).limit(limit))


def count_sessions_ended_since(db: Database[Any], since: datetime) -> int:
    return db[SESSIONS].count_documents({"endTime": {"$gte": since}})


def count_snapshots_by_timeframe(db: Database[Any], timeframes: tuple[str, ...]) -> dict[str, int]:
    return {timeframe: db[SNAPSHOTS].count_documents({"timeframe": timeframe}) for timeframe in timeframes}


def count_orphaned_snapshots(db: Database[Any]) -> int:
    """Snapshot rows whose user has no ``users`` document (no ``$lookup``: two ``distinct`` and a count)."""
    orphans = set(db[SNAPSHOTS].distinct("userId")) - set(db[USERS].distinct("userId"))
    if not orphans:
        return 0
    return db[SNAPSHOTS].count_documents({"userId": {"$in": sorted(orphans)}})
