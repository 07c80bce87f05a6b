"""Documents of the replaced Node.js server (contract §2.1, §2.2), inserted as it left them.

This is a legitimate external format, not this server's: a user with only its running totals (no
baseline, no credit version, no daily totals or boards) and sessions without ``sessionKey``, whose
``startTime`` is the client's end and ``endTime`` is ``startTime + duration``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database


def insert_replaced_user(db: Database[Any], user_id: str, **fields: Any) -> None:
    """The replaced server's user document; ``fields`` such as ``totalCodingTime`` and ``languages``."""
    db["users"].insert_one(
        {
            "userId": user_id,
            "username": f"user{user_id}",
            "isPublic": True,
            "archived": False,
            "archivedAt": None,
            **fields,
        }
    )


def insert_replaced_session(
    db: Database[Any], user_id: str, *, session_date: datetime, seconds: float, session_id: str | None = None
) -> None:
    """The replaced server's session: it stored the client's ``sessionDate`` (the end) as ``startTime``."""
    db["codingsessions"].insert_one(
        {
            **({"sessionId": session_id} if session_id else {}),
            "userId": user_id,
            "username": f"user{user_id}",
            "startTime": session_date,
            "endTime": session_date + timedelta(seconds=seconds),
            "duration": seconds,
            "languages": {"python": seconds},
            "sessionDate": session_date.replace(hour=0, minute=0, second=0, microsecond=0),
        }
    )
