"""Put sessions and users straight into the database, for store tests that do not go through ingest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database


def insert_user(db: Database[Any], user_id: str, **fields: Any) -> None:
    db["users"].insert_one(
        {"userId": user_id, "username": f"user{user_id}", "isPublic": True, "archived": False, **fields}
    )


def insert_session(
    db: Database[Any], user_id: str, start: datetime, end: datetime, languages: dict[str, float] | None = None
) -> None:
    db["codingsessions"].insert_one(
        {
            "sessionKey": f"{user_id}|{start.isoformat()}|{end.isoformat()}",
            "sessionId": f"{start.isoformat()}|{end.isoformat()}",
            "userId": user_id,
            "startTime": start,
            "endTime": end,
            "duration": (end - start).total_seconds(),
            "languages": languages or {},
        }
    )
