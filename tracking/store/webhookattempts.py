"""The ``webhookattempts`` collection, the delivery log: one document per attempt to send a delivery.

An attempt is inserted as ``sending`` under ``_id = "<deliveryId>#<attempt number>"`` before anything is
sent: the unique ``_id`` lets exactly one sender make attempt *n* of a delivery, on MongoDB and on the
development database alike (an insert under a unique key is atomic on both, a conditional update is not
on FerretDB). The holder then records the outcome (``succeeded`` or ``failed``, status code, latency,
error, the start of the response). An attempt still ``sending`` after its lease belonged to a sender
that died: the next sender takes it over.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.domain.webhooks import AttemptStatus
from tracking.store.client import indexes

COLLECTION = "webhookattempts"


@indexes
def create_webhookattempt_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index(
        [("subscriptionId", ASCENDING), ("attemptedAt", DESCENDING)], name="subscriptionId_1_attemptedAt_-1"
    )
    db[COLLECTION].create_index("attemptedAt", name="attemptedAt_1")


@dataclass(frozen=True)
class Attempt:
    delivery_id: str
    subscription_id: str
    event_id: str
    event_type: str
    number: int
    status: AttemptStatus
    attempted_at: datetime
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    response: str | None = None


def _attempt_id(delivery_id: str, number: int) -> str:
    return f"{delivery_id}#{number}"


def _attempt(doc: dict[str, Any]) -> Attempt:
    return Attempt(
        delivery_id=doc["deliveryId"],
        subscription_id=doc["subscriptionId"],
        event_id=doc["eventId"],
        event_type=doc["eventType"],
        number=doc["attempt"],
        status=doc["status"],
        attempted_at=doc["attemptedAt"],
        status_code=doc.get("statusCode"),
        latency_ms=doc.get("latencyMs"),
        error=doc.get("error"),
        response=doc.get("response"),
    )


def claim_attempt(db: Database[Any], attempt: Attempt) -> bool:
    """Insert attempt ``attempt.number`` as ``sending``; False when another sender holds it."""
    document = {
        "_id": _attempt_id(attempt.delivery_id, attempt.number),
        "deliveryId": attempt.delivery_id,
        "subscriptionId": attempt.subscription_id,
        "eventId": attempt.event_id,
        "eventType": attempt.event_type,
        "attempt": attempt.number,
        "status": "sending",
        "attemptedAt": attempt.attempted_at,
    }
    try:
        db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def find_attempt(db: Database[Any], *, delivery_id: str, number: int) -> Attempt | None:
    doc = db[COLLECTION].find_one({"_id": _attempt_id(delivery_id, number)})
    return None if doc is None else _attempt(doc)


def take_over_attempt(db: Database[Any], stale: Attempt, *, now: datetime) -> bool:
    """Replace a dead sender's claim with ours; False when another sender took it over first."""
    db[COLLECTION].delete_one(
        {"_id": _attempt_id(stale.delivery_id, stale.number), "status": "sending", "attemptedAt": stale.attempted_at}
    )
    return claim_attempt(db, replace(stale, attempted_at=now))


def finish_attempt(db: Database[Any], attempt: Attempt) -> None:
    """Record the outcome of a claimed attempt (only its holder calls this)."""
    fields = {
        "status": attempt.status,
        "statusCode": attempt.status_code,
        "latencyMs": attempt.latency_ms,
        "error": attempt.error,
        "response": attempt.response,
    }
    db[COLLECTION].update_one({"_id": _attempt_id(attempt.delivery_id, attempt.number)}, {"$set": fields})


def find_attempts_by_subscription(
    db: Database[Any], *, subscription_id: str, status: AttemptStatus | None, limit: int
) -> list[Attempt]:
    """The subscription's attempts, newest first."""
    query: dict[str, Any] = {"subscriptionId": subscription_id}
    if status is not None:
        query["status"] = status
    cursor = db[COLLECTION].find(query).sort([("attemptedAt", DESCENDING), ("attempt", DESCENDING)]).limit(limit)
    return [_attempt(doc) for doc in cursor]


def delete_attempts_by_subscription(db: Database[Any], subscription_id: str) -> int:
    return db[COLLECTION].delete_many({"subscriptionId": subscription_id}).deleted_count


def delete_attempts_before(db: Database[Any], *, cutoff: datetime, dry_run: bool) -> int:
    """Drop log entries older than ``cutoff`` (an attempt still being sent stays); ``dry_run`` only counts them."""
    query = {"attemptedAt": {"$lt": cutoff}, "status": {"$ne": "sending"}}
    if dry_run:
        return db[COLLECTION].count_documents(query)
    return db[COLLECTION].delete_many(query).deleted_count
