"""The ``presence`` collection: one document per user (``_id`` the userId), what their latest heartbeat said.

``{_id, since, lastSeen, language, editor, project, sessionId}``; the stretch rules are
tracking.domain.presence. A heartbeat is one conditional upsert and no read: it matches the user's document
only while the stretch is still open (``lastSeen`` within the TTL before this heartbeat), and then keeps
``since``; a first heartbeat inserts the document with ``since``. When the stored stretch is over, the
upsert's insert collides with the user's ``_id`` and writes nothing, and a second write starts the new
stretch. ``lastSeen`` only moves forward (``$max``), so a heartbeat that arrives late cannot end a stretch early.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pymongo import DESCENDING
from pymongo.database import Database

from tracking.domain.presence import Presence
from tracking.store.client import indexes
from tracking.store.retries import upsert_unless_taken

COLLECTION = "presence"


@indexes
def create_presence_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("lastSeen", DESCENDING)], name="lastSeen_-1")


def record_heartbeat_by_user(
    db: Database[Any],
    *,
    user_id: str,
    at: datetime,
    received: datetime,
    ttl: timedelta,
    min_gap: timedelta,
    language: str | None,
    editor: str | None,
    project: str | None,
    session_id: str | None,
) -> bool:
    """One write (two when a new stretch starts); False, with nothing written, within ``min_gap`` of the last one.

    ``receivedAt`` is when the server took the user's last heartbeat: a heartbeat sooner than ``min_gap``
    after it matches neither filter, and its upsert collides with the user's ``_id``.
    """
    said = {"language": language, "editor": editor, "project": project, "sessionId": session_id, "receivedAt": received}
    spaced = {"receivedAt": {"$not": {"$gt": received - min_gap}}}
    continuing = {"_id": user_id, "lastSeen": {"$gte": at - ttl}, **spaced}
    if upsert_unless_taken(
        db[COLLECTION], continuing, {"$set": said, "$max": {"lastSeen": at}, "$setOnInsert": {"since": at}}
    ):
        return True
    # The stored stretch ended more than the TTL before this heartbeat: this one starts the next.
    return upsert_unless_taken(
        db[COLLECTION], {"_id": user_id, **spaced}, {"$set": {**said, "since": at}, "$max": {"lastSeen": at}}
    )


def _presence(doc: Mapping[str, Any]) -> Presence:
    return Presence(
        user_id=doc["_id"],
        since=doc["since"],
        last_seen=doc["lastSeen"],
        language=doc.get("language"),
        editor=doc.get("editor"),
        project=doc.get("project"),
        session_id=doc.get("sessionId"),
    )


def find_presence_seen_since(db: Database[Any], since: datetime) -> list[Presence]:
    """Everyone whose last heartbeat was at or after ``since``, latest first (the few coding now)."""
    cursor = db[COLLECTION].find({"lastSeen": {"$gte": since}}).sort([("lastSeen", DESCENDING), ("_id", 1)])
    return [_presence(doc) for doc in cursor]


def count_presence_seen_since(db: Database[Any], since: datetime) -> int:
    return db[COLLECTION].count_documents({"lastSeen": {"$gte": since}})


def delete_presence_by_user(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"_id": user_id}).deleted_count
