"""The ``ratelimits`` collection: fixed-window limits kept in MongoDB so they hold across instances.

One document per counted event: ``window`` (``"<limit>:<subject>:<window start>"``), ``subject`` and
``expiresAt``. An event is recorded with an insert and then judged by how many its window holds: an
insert is atomic on MongoDB and on the development database alike (where a ``$inc`` of one counter
document loses increments under concurrency), so however many attempts arrive together, each is counted
and at most the limit of them pass. Expired events are deleted as new ones are counted (no TTL index:
FerretDB has none). The windows and the decisions are tracking.domain.ratelimits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from tracking.domain.ratelimits import Decision, Limit, decide, decide_next, window_at
from tracking.store.client import indexes

COLLECTION = "ratelimits"


@indexes
def create_ratelimit_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("window", ASCENDING)], name="window_1")
    db[COLLECTION].create_index([("subject", ASCENDING)], name="subject_1")
    db[COLLECTION].create_index([("expiresAt", ASCENDING)], name="expiresAt_1")


def hit_by_subject(db: Database[Any], limit: Limit, subject: str, *, now: datetime) -> Decision:
    """Count one event of ``subject`` against ``limit``, then judge it: refused once the window holds more.

    The event is counted before it is judged, so concurrent callers cannot all pass.
    """
    window = window_at(limit, subject, now)
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})
    db[COLLECTION].insert_one({"window": window.key, "subject": subject, "expiresAt": window.ends_at})
    return decide(db[COLLECTION].count_documents({"window": window.key}), limit, window, now)


def check_by_subject(db: Database[Any], limit: Limit, subject: str, *, now: datetime) -> Decision:
    """Whether one more event of ``subject`` would be allowed (counting nothing)."""
    window = window_at(limit, subject, now)
    return decide_next(db[COLLECTION].count_documents({"window": window.key}), limit, window, now)


def delete_windows_by_subject(db: Database[Any], subject: str) -> int:
    """Every counted event of ``subject`` under any limit."""
    return db[COLLECTION].delete_many({"subject": subject}).deleted_count
