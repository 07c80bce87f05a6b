"""The ``leaderboardsnapshots`` collection: one row per user of a board's standing at one moment.

Rows have the replaced server's shape (``userId, username, timeframe, timestamp, rank, totalTime``)
plus ``periodKey``; ``_id`` is ``{timeframe}|{periodKey}|{userId}``, so a row is written once per
snapshot. Which snapshots exist, and whether one is complete, is ``snapshotruns``
(tracking.store.snapshotruns).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from tracking.store import snapshotruns
from tracking.store.client import indexes

COLLECTION = "leaderboardsnapshots"


@indexes
def create_snapshot_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index(
        [("userId", ASCENDING), ("timeframe", ASCENDING), ("timestamp", DESCENDING)],
        name="userId_1_timeframe_1_timestamp_-1",
    )
    db[COLLECTION].create_index([("timeframe", ASCENDING), ("periodKey", ASCENDING)], name="timeframe_1_periodKey_1")


@dataclass(frozen=True)
class SnapshotRow:
    user_id: str
    username: str
    timeframe: str
    period_key: str
    timestamp: datetime
    rank: int
    total_time: float


@dataclass(frozen=True)
class HistoryEntry:
    timestamp: datetime
    period_key: str
    rank: int
    total_time: float


def insert_rows(db: Database[Any], rows: Sequence[SnapshotRow]) -> None:
    if not rows:
        return
    documents = [
        {
            "_id": f"{snapshotruns.run_id(row.timeframe, row.period_key)}|{row.user_id}",
            "userId": row.user_id,
            "username": row.username,
            "timeframe": row.timeframe,
            "periodKey": row.period_key,
            "timestamp": row.timestamp,
            "rank": row.rank,
            "totalTime": row.total_time,
        }
        for row in rows
    ]
    db[COLLECTION].insert_many(documents, ordered=False)


def delete_rows_by_period(db: Database[Any], *, timeframe: str, period_key: str) -> int:
    return db[COLLECTION].delete_many({"timeframe": timeframe, "periodKey": period_key}).deleted_count


def find_ranks_by_period(db: Database[Any], *, timeframe: str, period_key: str, user_ids: list[str]) -> dict[str, int]:
    """Each listed user's rank in one snapshot (one ``$in``)."""
    if not user_ids:
        return {}
    rows = db[COLLECTION].find(
        {"timeframe": timeframe, "periodKey": period_key, "userId": {"$in": user_ids}}, {"userId": 1, "rank": 1}
    )
    return {row["userId"]: row["rank"] for row in rows}


def find_latest_ranks(db: Database[Any], *, timeframe: str, user_ids: list[str]) -> dict[str, int]:
    """Each user's rank in the latest complete snapshot of the timeframe (one lookup plus one ``$in``).

    Kept here for tracking.store.leaderboards; it composes the two snapshot repositories and belongs in
    the leaderboards service once that reads the board.
    """
    run = snapshotruns.find_latest_complete_run(db, timeframe)
    if run is None:
        return {}
    return find_ranks_by_period(db, timeframe=timeframe, period_key=run.period_key, user_ids=user_ids)


def find_history_by_user(db: Database[Any], *, user_id: str, timeframe: str, limit: int) -> list[HistoryEntry]:
    """The user's latest rows of the timeframe, newest first."""
    cursor = (
        db[COLLECTION]
        .find(
            {"userId": user_id, "timeframe": timeframe},
            {"_id": 0, "timestamp": 1, "periodKey": 1, "rank": 1, "totalTime": 1},
        )
        .sort("timestamp", DESCENDING)
        .limit(limit)
    )
    return [HistoryEntry(row["timestamp"], row["periodKey"], row["rank"], row["totalTime"]) for row in cursor]


def count_rows(db: Database[Any]) -> int:
    return db[COLLECTION].count_documents({})


def count_rows_by_timeframe(db: Database[Any], timeframes: tuple[str, ...]) -> dict[str, int]:
    return {timeframe: db[COLLECTION].count_documents({"timeframe": timeframe}) for timeframe in timeframes}


def find_user_ids(db: Database[Any]) -> set[str]:
    """Every user that has a row (``distinct``)."""
    return set(db[COLLECTION].distinct("userId"))


def count_rows_by_users(db: Database[Any], user_ids: set[str]) -> int:
    if not user_ids:
        return 0
    return db[COLLECTION].count_documents({"userId": {"$in": sorted(user_ids)}})


def delete_snapshots_before(db: Database[Any], *, timeframe: str, cutoff: datetime, dry_run: bool) -> int:
    """Delete the timeframe's rows taken before ``cutoff``; with ``dry_run`` only count them."""
    query = {"timeframe": timeframe, "timestamp": {"$lt": cutoff}}
    if dry_run:
        return db[COLLECTION].count_documents(query)
    return db[COLLECTION].delete_many(query).deleted_count


def delete_rows_by_user(db: Database[Any], user_id: str) -> int:
    """The user's rows of every snapshot (the others keep their ranks: the gap is where the user was)."""
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count


def find_rows_by_user(db: Database[Any], user_id: str) -> list[dict[str, Any]]:
    """Every snapshot row of the user, oldest first (a user's export holds their rank history)."""
    fields = {"_id": 0, "timeframe": 1, "periodKey": 1, "timestamp": 1, "rank": 1, "totalTime": 1}
    return list(db[COLLECTION].find({"userId": user_id}, fields).sort("timestamp", ASCENDING))
