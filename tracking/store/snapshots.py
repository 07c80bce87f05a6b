"""Leaderboard snapshots: the standing of a board at one moment, one per timeframe and period key.

``snapshotruns`` holds one document per (timeframe, periodKey), claimed with a unique ``_id`` before
any row is written, so a second snapshot of the same key is refused (409) and a repeated timer run
does nothing. ``leaderboardsnapshots`` holds one row per user, in the replaced server's shape plus
``periodKey``. A close snapshot (``final``) replaces an earlier manual one of the same period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.domain.periods import (
    ALL_TIME_KEY,
    CALENDAR_TIMEFRAMES,
    ROLLING_KEY,
    Timeframe,
    previous_period,
    snapshot_key,
)
from tracking.errors import Conflict
from tracking.store import boards
from tracking.store.client import indexes

ROWS = "leaderboardsnapshots"
RUNS = "snapshotruns"
BATCH = 1000


@indexes
def create_snapshot_indexes(db: Database[Any]) -> None:
    db[ROWS].create_index(
        [("userId", ASCENDING), ("timeframe", ASCENDING), ("timestamp", DESCENDING)],
        name="userId_1_timeframe_1_timestamp_-1",
    )
    db[ROWS].create_index([("timeframe", ASCENDING), ("periodKey", ASCENDING)], name="timeframe_1_periodKey_1")
    db[RUNS].create_index([("timeframe", ASCENDING), ("timestamp", DESCENDING)], name="timeframe_1_timestamp_-1")


@dataclass(frozen=True)
class SnapshotResult:
    timeframe: str
    period_key: str
    count: int


def _board_key(timeframe: Timeframe, period_key: str) -> str:
    if timeframe == "allTime":
        return ALL_TIME_KEY
    if timeframe == "last24h":
        return ROLLING_KEY
    return period_key


def _run_id(timeframe: str, period_key: str) -> str:
    return f"{timeframe}|{period_key}"


def take_snapshot(
    db: Database[Any],
    *,
    timeframe: Timeframe,
    now: datetime,
    zone: ZoneInfo,
    period_key: str | None = None,
    timestamp: datetime | None = None,
    final: bool = False,
) -> SnapshotResult:
    """Record the board's standing under ``period_key`` (default: the current one).

    Raises Conflict when this period already has a snapshot, unless this is the close snapshot
    (``final``) replacing a manual one taken before the period ended.
    """
    key = period_key or snapshot_key(timeframe, now, zone)
    run_id = _run_id(timeframe, key)
    taken_at = timestamp or now
    claim = {"_id": run_id, "timeframe": timeframe, "periodKey": key, "timestamp": taken_at, "final": final}
    try:
        db[RUNS].insert_one({**claim, "status": "taking", "count": 0})
    except DuplicateKeyError:
        existing = db[RUNS].find_one({"_id": run_id}) or {}
        if not final or existing.get("final"):
            raise Conflict(f"A snapshot of {timeframe} for {key} already exists") from None
        db[ROWS].delete_many({"timeframe": timeframe, "periodKey": key})
        db[RUNS].update_one({"_id": run_id}, {"$set": {**claim, "status": "taking", "count": 0}})

    count = 0
    entries = iter(boards.stream_board(db, board=timeframe, key=_board_key(timeframe, key)))
    while batch := list(islice(entries, BATCH)):
        names = {
            doc["userId"]: doc.get("username") or "Anonymous"
            for doc in db["users"].find({"userId": {"$in": [e.user_id for e in batch]}}, {"userId": 1, "username": 1})
        }
        rows = [
            {
                "_id": f"{run_id}|{entry.user_id}",
                "userId": entry.user_id,
                "username": names.get(entry.user_id, "Anonymous"),
                "timeframe": timeframe,
                "periodKey": key,
                "timestamp": taken_at,
                "rank": count + index + 1,
                "totalTime": entry.total,
            }
            for index, entry in enumerate(batch)
        ]
        db[ROWS].insert_many(rows, ordered=False)
        count += len(rows)
    db[RUNS].update_one({"_id": run_id}, {"$set": {"status": "complete", "count": count}})
    return SnapshotResult(timeframe, key, count)


def take_due_snapshots(db: Database[Any], *, now: datetime, zone: ZoneInfo) -> list[SnapshotResult]:
    """The snapshots a timer owes at ``now``; repeated or late runs take only what is missing.

    Day, week and month: the period that just closed, with its final standing. All time: once a
    day, keyed by the day that just closed. Last 24 hours: once an hour.
    """
    taken: list[SnapshotResult] = []
    for timeframe in CALENDAR_TIMEFRAMES:
        closed = previous_period(timeframe, now, zone)
        existing = db[RUNS].find_one({"_id": _run_id(timeframe, closed.key)}, {"final": 1})
        if existing is None or not existing.get("final"):
            taken.append(
                take_snapshot(
                    db, timeframe=timeframe, now=now, zone=zone, period_key=closed.key, timestamp=closed.end, final=True
                )
            )
    daily_and_hourly: list[tuple[Timeframe, str]] = [
        ("allTime", previous_period("day", now, zone).key),
        ("last24h", snapshot_key("last24h", now, zone)),
    ]
    for timeframe, key in daily_and_hourly:
        if db[RUNS].find_one({"_id": _run_id(timeframe, key)}, {"_id": 1}) is None:
            taken.append(take_snapshot(db, timeframe=timeframe, now=now, zone=zone, period_key=key, final=True))
    return taken


def find_latest_ranks(db: Database[Any], *, timeframe: str, user_ids: list[str]) -> dict[str, int]:
    """Each user's rank in the latest complete snapshot of the timeframe (one lookup plus one ``$in``)."""
    latest = (
        db[RUNS]
        .find({"timeframe": timeframe, "status": "complete"}, {"periodKey": 1})
        .sort("timestamp", DESCENDING)
        .limit(1)
    )
    run = next(iter(latest), None)
    if run is None or not user_ids:
        return {}
    rows = db[ROWS].find(
        {"timeframe": timeframe, "periodKey": run["periodKey"], "userId": {"$in": user_ids}}, {"userId": 1, "rank": 1}
    )
    return {row["userId"]: row["rank"] for row in rows}


def find_history_by_user(db: Database[Any], *, user_id: str, timeframe: str, limit: int) -> list[dict[str, Any]]:
    cursor = (
        db[ROWS]
        .find(
            {"userId": user_id, "timeframe": timeframe},
            {"_id": 0, "timestamp": 1, "periodKey": 1, "rank": 1, "totalTime": 1},
        )
        .sort("timestamp", DESCENDING)
        .limit(limit)
    )
    return list(cursor)


def find_latest_runs(db: Database[Any]) -> dict[str, dict[str, Any]]:
    """The latest snapshot run of each timeframe (for health checks)."""
    latest: dict[str, dict[str, Any]] = {}
    for timeframe in ("day", "week", "month", "allTime", "last24h"):
        run = next(iter(db[RUNS].find({"timeframe": timeframe}).sort("timestamp", DESCENDING).limit(1)), None)
        if run is not None:
            latest[timeframe] = run
    return latest
