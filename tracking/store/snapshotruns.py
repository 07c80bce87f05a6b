"""The ``snapshotruns`` collection: one document per snapshot taken, keyed ``{timeframe}|{periodKey}``.

A run is claimed (inserted under its unique ``_id``) before any row is written, so two takers of the
same key cannot both write rows; ``status`` goes from ``taking`` to ``complete`` with the row count.
``final`` marks the close snapshot of a period, which may replace an earlier manual one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.store.client import indexes

COLLECTION = "snapshotruns"

TAKING, COMPLETE = "taking", "complete"


@indexes
def create_snapshotrun_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("timeframe", ASCENDING), ("timestamp", DESCENDING)], name="timeframe_1_timestamp_-1")


@dataclass(frozen=True)
class SnapshotRun:
    timeframe: str
    period_key: str
    timestamp: datetime
    final: bool
    status: str | None  # None for a run written by hand or by an older version, as a health check may meet
    count: int | None


def run_id(timeframe: str, period_key: str) -> str:
    return f"{timeframe}|{period_key}"


def _snapshot_run(document: dict[str, Any]) -> SnapshotRun:
    return SnapshotRun(
        timeframe=document["timeframe"],
        period_key=document["periodKey"],
        timestamp=document["timestamp"],
        final=bool(document.get("final")),
        status=document.get("status"),
        count=document.get("count"),
    )


def _claim(timeframe: str, period_key: str, timestamp: datetime, final: bool) -> dict[str, Any]:
    return {
        "timeframe": timeframe,
        "periodKey": period_key,
        "timestamp": timestamp,
        "final": final,
        "status": TAKING,
        "count": 0,
    }


def claim_run(db: Database[Any], *, timeframe: str, period_key: str, timestamp: datetime, final: bool) -> bool:
    """Insert the run as ``taking``; False (and nothing written) when this key already has a run."""
    document = {"_id": run_id(timeframe, period_key), **_claim(timeframe, period_key, timestamp, final)}
    try:
        db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def reclaim_run(db: Database[Any], *, timeframe: str, period_key: str, timestamp: datetime, final: bool) -> None:
    """Start the existing run of this key again, as ``taking`` with no rows."""
    db[COLLECTION].update_one(
        {"_id": run_id(timeframe, period_key)}, {"$set": _claim(timeframe, period_key, timestamp, final)}
    )


def complete_run(db: Database[Any], *, timeframe: str, period_key: str, count: int) -> None:
    db[COLLECTION].update_one({"_id": run_id(timeframe, period_key)}, {"$set": {"status": COMPLETE, "count": count}})


def find_run_by_key(db: Database[Any], *, timeframe: str, period_key: str) -> SnapshotRun | None:
    document = db[COLLECTION].find_one({"_id": run_id(timeframe, period_key)})
    return None if document is None else _snapshot_run(document)


def find_latest_complete_run(db: Database[Any], timeframe: str) -> SnapshotRun | None:
    latest = db[COLLECTION].find({"timeframe": timeframe, "status": COMPLETE}).sort("timestamp", DESCENDING).limit(1)
    document = next(iter(latest), None)
    return None if document is None else _snapshot_run(document)


def find_latest_run_by_timeframe(db: Database[Any], timeframes: tuple[str, ...]) -> dict[str, SnapshotRun]:
    """The latest run (of any status) of each timeframe that has one."""
    latest: dict[str, SnapshotRun] = {}
    for timeframe in timeframes:
        document = next(
            iter(db[COLLECTION].find({"timeframe": timeframe}).sort("timestamp", DESCENDING).limit(1)), None
        )
        if document is not None:
            latest[timeframe] = _snapshot_run(document)
    return latest
