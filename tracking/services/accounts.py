"""A user's own data: the export of everything stored about them, and its deletion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.database import Database

from tracking.domain.analytics import field_error
from tracking.domain.profiles import public_profile
from tracking.errors import BadRequest, UserNotFound
from tracking.store import (
    apikeys,
    boards,
    creditclaims,
    dailytotals,
    heartbeats,
    linkcodes,
    presence,
    ratelimits,
    sessions,
    snapshots,
    users,
    webhookevents,
    websessions,
)

# Sessions per export page: a long history is read and answered a page at a time.
EXPORT_PAGE_SESSIONS = 1000


@dataclass(frozen=True)
class Export:
    profile: dict[str, Any]
    daily_totals: list[dict[str, Any]]
    rank_history: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    next_cursor: str | None


def _cursor(cursor: str | None) -> ObjectId | None:
    if cursor is None:
        return None
    try:
        return ObjectId(cursor)
    except (InvalidId, TypeError) as error:
        raise field_error("cursor", "Use the nextCursor of a previous page") from error


def export_user_data(db: Database[Any], *, user_id: str, cursor: str | None) -> Export:
    """The profile (with achievements), daily totals, rank history and one page of sessions after ``cursor``."""
    after = _cursor(cursor)
    user = users.find_user_by_id(db, user_id)
    if user is None:
        raise UserNotFound()
    page, last = sessions.find_sessions_by_user_after(db, user_id=user_id, after=after, limit=EXPORT_PAGE_SESSIONS)
    totals = [
        {"day": total.day, "seconds": total.seconds, "hours": list(total.hours), "languages": total.languages}
        for total in dailytotals.find_all_days_by_user(db, user_id)
    ]
    return Export(
        profile=public_profile(user),
        daily_totals=totals,
        rank_history=snapshots.find_rows_by_user(db, user_id),
        sessions=page,
        next_cursor=str(last) if last is not None else None,
    )


def delete_user_data(db: Database[Any], *, user_id: str, confirm: str) -> dict[str, int]:
    """Remove everything that names the user; returns how many documents went from each collection.

    Keys, website sessions and link codes go first, so nothing can write for the user while the rest is
    removed; the user document goes last, so a delete that fails half way can be repeated.
    """
    if confirm != user_id:
        raise BadRequest("Invalid request body", errors=[{"field": "confirm", "message": "Must equal the userId"}])
    if users.find_user_by_id(db, user_id) is None:
        raise UserNotFound()
    deleted = {
        "apikeys": apikeys.delete_keys_by_user(db, user_id),
        "websessions": websessions.delete_sessions_by_user(db, user_id),
        "linkcodes": linkcodes.delete_codes_by_user(db, user_id),
        "codingsessions": sessions.delete_sessions_by_user(db, user_id),
        "heartbeats": heartbeats.delete_heartbeats_by_user(db, user_id),
        "dailytotals": dailytotals.delete_days_by_user(db, user_id),
        "boards": boards.delete_entries_by_user(db, user_id),
        "leaderboardsnapshots": snapshots.delete_rows_by_user(db, user_id),
        "creditclaims": creditclaims.delete_claims_by_user(db, user_id),
        "ratelimits": ratelimits.delete_windows_by_subject(db, user_id),
        "presence": presence.delete_presence_by_user(db, user_id),
        "webhookevents": webhookevents.delete_events_by_user(db, user_id),
    }
    deleted["users"] = users.delete_user_by_id(db, user_id)
    return deleted
