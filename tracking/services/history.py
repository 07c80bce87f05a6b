"""A user's coding history: their sessions in a time range, newest first, a page at a time.

One point read of the user and one keyset walk of ``userId_1_endTime_-1`` per page, whatever the length
of the history. Sessions of the replaced server (no ``sessionKey``, shifted times) are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.domain import sessions as rules
from tracking.errors import BadRequest, UserNotFound
from tracking.store import sessions, users
from tracking.store.sessions import RecordedSession


@dataclass(frozen=True)
class SessionHistory:
    user_id: str
    start: datetime
    end: datetime
    sessions: list[RecordedSession]
    next_cursor: str | None


def read_session_history(
    db: Database[Any],
    *,
    user_id: str,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> SessionHistory:
    """The user's sessions that ended in ``[start, end]`` (defaults: tracking.domain.sessions.history_range)."""
    first, last = rules.history_range(start, end, now=now)
    before = None
    if cursor is not None:
        before = rules.decode_history_cursor(cursor)
        if before is None:
            raise BadRequest("Invalid cursor: use the nextCursor of a previous page")
    if users.find_user_by_id(db, user_id) is None:
        raise UserNotFound()
    # One more than the page tells whether another page follows.
    found = sessions.find_sessions_by_user_ended_between(
        db, user_id=user_id, start=first, end=last, before=before, limit=limit + 1
    )
    page = found[:limit]
    next_cursor = rules.encode_history_cursor(page[-1].end, page[-1].session_id) if len(found) > limit else None
    return SessionHistory(user_id=user_id, start=first, end=last, sessions=page, next_cursor=next_cursor)
