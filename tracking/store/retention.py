"""The retention cleanup's queries on sessions, daily totals and users: each takes its cut-off and a dry-run switch.

A detailed session is deleted only when every UTC day it overlaps has its ``dailytotals`` document,
so no credited time is lost: totals, streaks, languages and history read from the daily totals.
Users are archived, never deleted. Every operation is idempotent (absolute cut-offs). Snapshots and
job runs are deleted by their own repositories (tracking.store.snapshots, tracking.store.jobruns).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.domain.retention import utc_days

SESSIONS = "codingsessions"
DAILY_TOTALS = "dailytotals"
USERS = "users"

DELETE_CHUNK = 500


def find_user_ids_with_sessions_before(db: Database[Any], cutoff: datetime) -> list[str]:
    """The users who have a session that ended before ``cutoff``, sorted so batches are stable."""
    return sorted(db[SESSIONS].distinct("userId", {"endTime": {"$lt": cutoff}}))


def delete_sessions_by_users_before(
    db: Database[Any], *, user_ids: list[str], cutoff: datetime, dry_run: bool
) -> dict[str, int]:
    """Delete the sessions of ``user_ids`` that ended before ``cutoff`` and are summed in dailytotals.

    Returns ``aggregated`` (user-days whose daily totals hold the deleted time), ``deleted`` and
    ``unsummed`` (old sessions kept because a day they overlap has no daily total).
    """
    counts = {"aggregated": 0, "deleted": 0, "unsummed": 0}
    for user_id in user_ids:
        sessions = list(
            db[SESSIONS].find({"userId": user_id, "endTime": {"$lt": cutoff}}, {"startTime": 1, "endTime": 1})
        )
        days_of = {session["_id"]: utc_days(session["startTime"], session["endTime"]) for session in sessions}
        wanted = sorted({day for days in days_of.values() for day in days})
        summed = {
            total["day"] for total in db[DAILY_TOTALS].find({"userId": user_id, "day": {"$in": wanted}}, {"day": 1})
        }
        deletable = [session_id for session_id, days in days_of.items() if summed.issuperset(days)]
        counts["aggregated"] += len({day for session_id in deletable for day in days_of[session_id]})
        counts["unsummed"] += len(sessions) - len(deletable)
        if dry_run:
            counts["deleted"] += len(deletable)
            continue
        for start in range(0, len(deletable), DELETE_CHUNK):
            chunk = deletable[start : start + DELETE_CHUNK]
            counts["deleted"] += db[SESSIONS].delete_many({"_id": {"$in": chunk}}).deleted_count
    return counts


def archive_users_inactive_before(db: Database[Any], *, cutoff: datetime, now: datetime, dry_run: bool) -> list[str]:
    """Mark users whose last session is before ``cutoff`` archived; returns their ids (sorted).

    Users who never had a session and users already archived (their ``archivedAt`` stays) are left alone.
    """
    query = {"lastSessionDate": {"$lt": cutoff}, "archived": {"$ne": True}}
    user_ids = sorted(db[USERS].distinct("userId", query))
    if not dry_run and user_ids:
        db[USERS].update_many({**query, "userId": {"$in": user_ids}}, {"$set": {"archived": True, "archivedAt": now}})
    return user_ids
