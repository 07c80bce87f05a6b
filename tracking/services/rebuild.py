"""Rebuilding every user's board entries, one page of users at a time (the boards rebuild job's batches)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.config import Settings
from tracking.services.ingest import relist_user
from tracking.store import users


def rebuild_boards_after(
    db: Database[Any], *, after: str | None, size: int, now: datetime, settings: Settings
) -> dict[str, Any]:
    """Relist the next ``size`` users after ``after`` (by userId); ``next`` is None once the users run out."""
    user_ids = users.find_user_ids_after(db, after=after, limit=size)
    for user_id in user_ids:
        relist_user(db, user_id=user_id, now=now, settings=settings)
    return {"next": user_ids[-1] if len(user_ids) == size else None, "count": len(user_ids)}
