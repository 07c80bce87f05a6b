"""The ``webhookdeliveries`` collection: one document per subscription and event, and where its sending stands.

``_id`` is ``delivery_id(subscription, event)``, so fanning an event out twice inserts nothing the second
time. ``status`` is ``pending`` until an attempt succeeds (``delivered``), the retries are over
(``failed``), or its subscription is gone or disabled (``cancelled``); ``attempts`` counts the attempts
made, ``retryFrom`` the attempts made before the current round of retries (a redelivery starts a new
round), ``nextAttemptAt`` when a pending delivery is due. Only the sender holding an attempt's claim
(tracking.store.webhookattempts) writes the result of that attempt here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from tracking.domain.webhooks import DeliveryStatus
from tracking.store.client import indexes, insert_new

COLLECTION = "webhookdeliveries"


@indexes
def create_webhookdelivery_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("status", ASCENDING), ("nextAttemptAt", ASCENDING)], name="status_1_nextAttemptAt_1")
    db[COLLECTION].create_index(
        [("subscriptionId", ASCENDING), ("createdAt", DESCENDING)], name="subscriptionId_1_createdAt_-1"
    )
    db[COLLECTION].create_index("updatedAt", name="updatedAt_1")


@dataclass(frozen=True)
class Delivery:
    id: str
    subscription_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    retry_from: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _delivery(doc: dict[str, Any]) -> Delivery:
    return Delivery(
        id=doc["_id"],
        subscription_id=doc["subscriptionId"],
        event_id=doc["eventId"],
        event_type=doc["eventType"],
        status=doc["status"],
        attempts=doc["attempts"],
        retry_from=doc["retryFrom"],
        next_attempt_at=doc.get("nextAttemptAt"),
        created_at=doc["createdAt"],
        updated_at=doc["updatedAt"],
    )


def _document(delivery: Delivery) -> dict[str, Any]:
    return {
        "_id": delivery.id,
        "subscriptionId": delivery.subscription_id,
        "eventId": delivery.event_id,
        "eventType": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "retryFrom": delivery.retry_from,
        "nextAttemptAt": delivery.next_attempt_at,
        "createdAt": delivery.created_at,
        "updatedAt": delivery.updated_at,
    }


def insert_deliveries(db: Database[Any], deliveries: Sequence[Delivery]) -> list[bool]:
    """Insert new deliveries; per delivery, False when it existed (the event was fanned out before)."""
    return insert_new(db[COLLECTION], [_document(delivery) for delivery in deliveries])


def find_due_deliveries(db: Database[Any], *, now: datetime, limit: int) -> list[Delivery]:
    query = {"status": "pending", "nextAttemptAt": {"$lte": now}}
    return [_delivery(doc) for doc in db[COLLECTION].find(query).sort("nextAttemptAt", ASCENDING).limit(limit)]


def find_delivery_by_id(db: Database[Any], delivery_id: str) -> Delivery | None:
    doc = db[COLLECTION].find_one({"_id": delivery_id})
    return None if doc is None else _delivery(doc)


def set_outcome_by_id(
    db: Database[Any],
    delivery_id: str,
    *,
    attempts: int,
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
    now: datetime,
) -> None:
    """Record where the delivery stands after attempt number ``attempts`` (written by that attempt's holder)."""
    fields = {"attempts": attempts, "status": status, "nextAttemptAt": next_attempt_at, "updatedAt": now}
    db[COLLECTION].update_one({"_id": delivery_id}, {"$set": fields})


def set_status_by_id(db: Database[Any], delivery_id: str, *, status: DeliveryStatus, now: datetime) -> None:
    db[COLLECTION].update_one(
        {"_id": delivery_id}, {"$set": {"status": status, "nextAttemptAt": None, "updatedAt": now}}
    )


def restart_by_id(db: Database[Any], delivery: Delivery, *, now: datetime) -> Delivery:
    """A redelivery: due now, with a new round of retries after the attempts made so far."""
    fields = {"status": "pending", "retryFrom": delivery.attempts, "nextAttemptAt": now, "updatedAt": now}
    db[COLLECTION].update_one({"_id": delivery.id}, {"$set": fields})
    return replace(delivery, status="pending", retry_from=delivery.attempts, next_attempt_at=now, updated_at=now)


def delete_deliveries_by_subscription(db: Database[Any], subscription_id: str) -> int:
    return db[COLLECTION].delete_many({"subscriptionId": subscription_id}).deleted_count


def delete_finished_before(db: Database[Any], *, cutoff: datetime, dry_run: bool) -> int:
    """Drop deliveries that finished before ``cutoff``; pending ones stay whatever their age."""
    query = {"status": {"$in": ["delivered", "failed", "cancelled"]}, "updatedAt": {"$lt": cutoff}}
    if dry_run:
        return db[COLLECTION].count_documents(query)
    return db[COLLECTION].delete_many(query).deleted_count
