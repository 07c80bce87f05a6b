"""The ``ratelimits`` collection: fixed-window counters kept in MongoDB so they hold across instances.

One document per (limit, subject, window): ``_id`` ``"<limit>:<subject>:<window start>"``, ``count``,
``expiresAt``. Expired windows are deleted as new ones are counted (no TTL index: FerretDB has none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.domain.linkcodes import Limit, window_start

COLLECTION = "ratelimits"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: int


def _window(limit: Limit, subject: str, now: datetime) -> tuple[str, datetime]:
    start = window_start(now, limit.window)
    return f"{limit.name}:{subject}:{int(start.timestamp())}", start + limit.window


def _decision(count: int, limit: Limit, expires_at: datetime, now: datetime) -> Decision:
    retry_after = max(1, math.ceil((expires_at - now).total_seconds()))
    return Decision(allowed=count <= limit.count, retry_after_seconds=retry_after)


def hit_by_subject(db: Database[Any], limit: Limit, subject: str, *, now: datetime) -> Decision:
    """Count one event of ``subject`` against ``limit``; not allowed once the window holds more than the limit."""
    key, expires_at = _window(limit, subject, now)
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})
    update = {"$inc": {"count": 1}, "$setOnInsert": {"expiresAt": expires_at}}
    try:
        document = db[COLLECTION].find_one_and_update(
            {"_id": key}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError:  # two first hits of a window raced; the second is now a plain update
        document = db[COLLECTION].find_one_and_update(
            {"_id": key}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
    if document is None:  # an upsert returning the new document never gives None
        raise LookupError(f"rate limit window {key} vanished")
    return _decision(document["count"], limit, expires_at, now)


def check_by_subject(db: Database[Any], limit: Limit, subject: str, *, now: datetime) -> Decision:
    """Whether ``subject`` is still under ``limit`` (counting nothing): used before a lockout-counted attempt."""
    key, expires_at = _window(limit, subject, now)
    document = db[COLLECTION].find_one({"_id": key})
    # The attempt about to be made would be number count + 1.
    return _decision((document["count"] if document else 0) + 1, limit, expires_at, now)
