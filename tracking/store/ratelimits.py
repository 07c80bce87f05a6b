"""The ``ratelimits`` collection: fixed-window counters kept in MongoDB so they hold across instances.

One document per (limit, subject, window): ``_id`` ``"<limit>:<subject>:<window start>"``, ``count``,
``expiresAt``. Expired windows are deleted as new ones are counted (no TTL index: FerretDB has none).
The windows and the decisions are tracking.domain.ratelimits.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.domain.ratelimits import Decision, Limit, decide, decide_next, window_at
from tracking.store.retries import find_one_and_upsert_retrying

COLLECTION = "ratelimits"


def hit_by_subject(db: Database[Any], limit: Limit, subject: str, *, now: datetime) -> Decision:
    """Count one event of ``subject`` against ``limit``; not allowed once the window holds more than the limit.

    The event is counted before it is judged, with one atomic upsert, so concurrent callers cannot all pass.
    """
    window = window_at(limit, subject, now)
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})
    update = {"$inc": {"count": 1}, "$setOnInsert": {"expiresAt": window.ends_at}}
    # Two first hits of a window race to insert it; the loser is retried as a plain update.
    document = find_one_and_upsert_retrying(db[COLLECTION], {"_id": window.key}, update)
    return decide(document["count"], limit, window, now)


def check_by_subject(db: Database[Any], limit: Limit, subject: str, *, now: datetime) -> Decision:
    """Whether ``subject`` is still under ``limit`` (counting nothing): used before a lockout-counted attempt."""
    window = window_at(limit, subject, now)
    document = db[COLLECTION].find_one({"_id": window.key})
    return decide_next(document["count"] if document else 0, limit, window, now)


def delete_windows_by_subject(db: Database[Any], subject: str) -> int:
    """Every counter of ``subject`` under any limit (their ``_id`` names the subject)."""
    pattern = f"^[^:]+:{re.escape(subject)}:"
    return db[COLLECTION].delete_many({"_id": {"$regex": pattern}}).deleted_count
