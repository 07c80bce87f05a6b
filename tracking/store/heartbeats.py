"""The ``heartbeats`` collection: one document per WakaTime heartbeat that counts, the record joining reads.

``_id`` is ``<userId>|<heartbeat id>`` (a hash of the heartbeat's content), so a replayed heartbeat fails
the insert and changes nothing. Fields: ``userId``, ``time``, ``category``, ``language`` (normalised),
``project``, ``editor``, ``imported`` (from a WakaTime dump), ``createdAt``. The file path (``entity``) is not
kept: joining needs only the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from tracking.domain.heartbeats import Beat, NewHeartbeat
from tracking.store.client import indexes, insert_new

COLLECTION = "heartbeats"


@indexes
def create_heartbeat_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("userId", ASCENDING), ("time", ASCENDING)], name="userId_1_time_1")
    db[COLLECTION].create_index("time", name="time_1")


def delete_heartbeats_by_user(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count


def delete_live_heartbeats_before(db: Database[Any], cutoff: datetime) -> int:
    """Delete the heartbeats older than ``cutoff`` that no import brought (no TTL index on FerretDB)."""
    return db[COLLECTION].delete_many({"time": {"$lt": cutoff}, "imported": {"$ne": True}}).deleted_count


def insert_heartbeats(
    db: Database[Any], heartbeats: Sequence[NewHeartbeat], *, now: datetime, imported: bool
) -> list[bool]:
    """Store the heartbeats in one write; per heartbeat, False when it was already stored."""
    documents = [
        {
            "_id": f"{heartbeat.user_id}|{heartbeat.heartbeat_id}",
            "userId": heartbeat.user_id,
            "time": heartbeat.time,
            "category": heartbeat.category,
            "language": heartbeat.language,
            "project": heartbeat.project,
            "editor": heartbeat.editor,
            "imported": imported,
            "createdAt": now,
        }
        for heartbeat in heartbeats
    ]
    return insert_new(db[COLLECTION], documents)


def find_beats_by_user_within(
    db: Database[Any], *, user_id: str, ranges: Sequence[tuple[datetime, datetime]]
) -> list[Beat]:
    """The user's heartbeats in any of the closed ``ranges``, in one query."""
    if not ranges:
        return []
    query = {"userId": user_id, "$or": [{"time": {"$gte": start, "$lte": end}} for start, end in ranges]}
    cursor = db[COLLECTION].find(query, {"_id": 0, "time": 1, "language": 1, "project": 1, "editor": 1})
    return [Beat(doc["time"], doc["language"], doc.get("project"), doc.get("editor")) for doc in cursor]
