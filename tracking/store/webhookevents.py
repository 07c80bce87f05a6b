"""The ``webhookevents`` collection, the outbox: one document per event, ``_id`` its deterministic id.

The path that produces an event (ingest, the snapshot at a period's close, a ping) inserts it; an
event already recorded is refused by the unique ``_id``, so a retried ingest or a second snapshot run
makes no second event. ``fannedOut`` turns true once the delivery timer has made its deliveries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from tracking.domain.webhooks import Event
from tracking.store.client import indexes, insert_new

COLLECTION = "webhookevents"


@indexes
def create_webhookevent_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("fannedOut", ASCENDING), ("createdAt", ASCENDING)], name="fannedOut_1_createdAt_1")
    db[COLLECTION].create_index("createdAt", name="createdAt_1")


def _event(doc: dict[str, Any]) -> Event:
    return Event(id=doc["_id"], type=doc["type"], data=doc["data"], created_at=doc["createdAt"])


def insert_events(db: Database[Any], events: Sequence[Event], *, fanned_out: bool = False) -> list[bool]:
    """Record events; per event, False when it was recorded before (the same fact)."""
    documents = [
        {
            "_id": event.id,
            "type": event.type,
            "data": event.data,
            "createdAt": event.created_at,
            "fannedOut": fanned_out,
        }
        for event in events
    ]
    return insert_new(db[COLLECTION], documents)


def find_events_to_fan_out(db: Database[Any], *, limit: int) -> list[Event]:
    cursor = db[COLLECTION].find({"fannedOut": False}).sort("createdAt", ASCENDING).limit(limit)
    return [_event(doc) for doc in cursor]


def set_fanned_out_by_ids(db: Database[Any], event_ids: Sequence[str]) -> None:
    if event_ids:
        db[COLLECTION].update_many({"_id": {"$in": list(event_ids)}}, {"$set": {"fannedOut": True}})


def find_events_by_ids(db: Database[Any], event_ids: Sequence[str]) -> dict[str, Event]:
    return {doc["_id"]: _event(doc) for doc in db[COLLECTION].find({"_id": {"$in": list(event_ids)}})}


def find_event_by_id(db: Database[Any], event_id: str) -> Event | None:
    doc = db[COLLECTION].find_one({"_id": event_id})
    return None if doc is None else _event(doc)


def delete_events_by_user(db: Database[Any], user_id: str) -> int:
    """Drop the events about the user (their ranks, achievements, streaks); their deliveries are then cancelled."""
    return db[COLLECTION].delete_many({"data.userId": user_id}).deleted_count


def delete_events_before(db: Database[Any], *, cutoff: datetime, dry_run: bool) -> int:
    """Drop fanned-out events older than ``cutoff``; ``dry_run`` only counts them."""
    query = {"createdAt": {"$lt": cutoff}, "fannedOut": True}
    if dry_run:
        return db[COLLECTION].count_documents(query)
    return db[COLLECTION].delete_many(query).deleted_count
