"""The ``webhooks`` collection: one document per webhook subscription, its signing secret sealed.

The secret signs every delivery, so it is kept, but only sealed with ``LINK_SECRET`` and the subscription's
id (``secretSealed``, ``secretSalt``; AES-GCM, tracking.domain.sealing): a copy of the database alone
signs nothing. No read of this repository returns it except ``find_secret_by_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from tracking.domain.webhooks import Subscription
from tracking.store.client import indexes

COLLECTION = "webhooks"


@indexes
def create_webhook_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("createdAt", ASCENDING)], name="createdAt_1")


@dataclass(frozen=True)
class SealedSecret:
    sealed: bytes
    salt: bytes


def _subscription(doc: dict[str, Any]) -> Subscription:
    return Subscription(
        id=doc["_id"],
        url=doc["url"],
        events=tuple(doc["events"]),
        format=doc["format"],
        board=doc["board"],
        top=doc["top"],
        schedule=doc.get("schedule"),
        timezone=doc["timezone"],
        description=doc.get("description"),
        enabled=doc["enabled"],
        disabled_reason=doc.get("disabledReason"),
        failing_since=doc.get("failingSince"),
        created_at=doc["createdAt"],
        updated_at=doc["updatedAt"],
    )


def _fields(subscription: Subscription) -> dict[str, Any]:
    return {
        "url": subscription.url,
        "events": list(subscription.events),
        "format": subscription.format,
        "board": subscription.board,
        "top": subscription.top,
        "schedule": subscription.schedule,
        "timezone": subscription.timezone,
        "description": subscription.description,
        "enabled": subscription.enabled,
        "disabledReason": subscription.disabled_reason,
        "failingSince": subscription.failing_since,
        "createdAt": subscription.created_at,
        "updatedAt": subscription.updated_at,
    }


_NO_SECRET = {"secretSealed": 0, "secretSalt": 0}


def insert_subscription(db: Database[Any], subscription: Subscription, *, secret: SealedSecret) -> None:
    document = {
        "_id": subscription.id,
        **_fields(subscription),
        "secretSealed": secret.sealed,
        "secretSalt": secret.salt,
    }
    db[COLLECTION].insert_one(document)


def find_subscription_by_id(db: Database[Any], subscription_id: str) -> Subscription | None:
    doc = db[COLLECTION].find_one({"_id": subscription_id}, _NO_SECRET)
    return None if doc is None else _subscription(doc)


def find_subscriptions(db: Database[Any]) -> list[Subscription]:
    return [_subscription(doc) for doc in db[COLLECTION].find({}, _NO_SECRET).sort("createdAt", ASCENDING)]


def find_enabled_subscriptions(db: Database[Any]) -> list[Subscription]:
    return [_subscription(doc) for doc in db[COLLECTION].find({"enabled": True}, _NO_SECRET)]


def find_secret_by_id(db: Database[Any], subscription_id: str) -> SealedSecret | None:
    doc = db[COLLECTION].find_one({"_id": subscription_id}, {"secretSealed": 1, "secretSalt": 1})
    return None if doc is None else SealedSecret(bytes(doc["secretSealed"]), bytes(doc["secretSalt"]))


def replace_subscription(db: Database[Any], subscription: Subscription) -> bool:
    """Write every field of ``subscription`` but its secret; False when it no longer exists."""
    result = db[COLLECTION].update_one({"_id": subscription.id}, {"$set": _fields(subscription)})
    return result.matched_count == 1


def set_secret_by_id(db: Database[Any], subscription_id: str, *, secret: SealedSecret, now: datetime) -> bool:
    update = {"$set": {"secretSealed": secret.sealed, "secretSalt": secret.salt, "updatedAt": now}}
    return db[COLLECTION].update_one({"_id": subscription_id}, update).matched_count == 1


def set_failing_since_by_id(db: Database[Any], subscription_id: str, since: datetime) -> None:
    """Mark the start of a run of failures; a run already going keeps its start."""
    db[COLLECTION].update_one({"_id": subscription_id, "failingSince": None}, {"$set": {"failingSince": since}})


def clear_failing_by_id(db: Database[Any], subscription_id: str) -> None:
    db[COLLECTION].update_one({"_id": subscription_id, "failingSince": {"$ne": None}}, {"$set": {"failingSince": None}})


def disable_by_id(db: Database[Any], subscription_id: str, *, reason: str, now: datetime) -> None:
    update = {"$set": {"enabled": False, "disabledReason": reason, "disabledAt": now, "updatedAt": now}}
    db[COLLECTION].update_one({"_id": subscription_id}, update)


def delete_subscription_by_id(db: Database[Any], subscription_id: str) -> bool:
    return db[COLLECTION].delete_one({"_id": subscription_id}).deleted_count == 1
