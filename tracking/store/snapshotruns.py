"""The ``snapshotruns`` collection: one document per snapshot taken, keyed ``{timeframe}|{periodKey}``.

A run is claimed (inserted under its unique ``_id``, with ``claimedAt``) before any row is written, so two
takers of the same key cannot both write rows; ``status`` goes from ``taking`` to ``complete`` with the row
count. A run still ``taking`` long after its claim belonged to a taker that died: it can be taken over.
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
    claimed_at: datetime | None = None


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
        claimed_at=document.get("claimedAt"),
    )


def _claim(timeframe: str, period_key: str, timestamp: datetime, final: bool, claimed_at: datetime) -> dict[str, Any]:
    return {
        "timeframe": timeframe,
        "periodKey": period_key,
        "timestamp": timestamp,
        "final": final,
        "status": TAKING,
        "count": 0,
        "claimedAt": claimed_at,
    }


def claim_run(
    db: Database[Any], *, timeframe: str, period_key: str, timestamp: datetime, final: bool, claimed_at: datetime
) -> bool:
    """Insert the run as ``taking``; False (and nothing written) when this key already has a run."""
    document = {"_id": run_id(timeframe, period_key), **_claim(timeframe, period_key, timestamp, final, claimed_at)}
    try:
        db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def reclaim_run(
    db: Database[Any], *, timeframe: str, period_key: str, timestamp: datetime, final: bool, claimed_at: datetime
) -> None:
    """Start the existing run of this key again, as ``taking`` with no rows."""
    db[COLLECTION].update_one(
        {"_id": run_id(timeframe, period_key)}, {"$set": _claim(timeframe, period_key, timestamp, final, claimed_at)}
    )


def delete_stale_run(db: Database[Any], *, timeframe: str, period_key: str, claimed_before: datetime) -> bool:
    """Remove the run of this key if it is still ``taking`` from a claim before ``claimed_before``.

    True for exactly one caller when several find the same stale run; the winner claims the key again.
    """
    stale = {"$or": [{"claimedAt": {"$lt": claimed_before}}, {"claimedAt": {"$exists": False}}]}
    query = {"_id": run_id(timeframe, period_key), "status": TAKING, **stale}
    return db[COLLECTION].delete_one(query).deleted_count == 1


def complete_run(db: Database[Any], *, timeframe: str, period_key: str, count: int) -> None:
    db[COLLECTION].update_one({"_id": run_id(timeframe, period_key)}, {"$set": {"status": COMPLETE, "count": count}})


def find_run_by_key(db: Database[Any], *, timeframe: str, period_key: str) -> SnapshotRun | None:
    document = db[COLLECTION].find_one({"_id": run_id(timeframe, period_key)})
    return None if document is None else _snapshot_run(document)


def find_latest_complete_run(db: Database[Any], timeframe: str) -> SnapshotRun | None:
    latest = db[COLLECTION].find({"timeframe": timeframe, "status": COMPLETE}).sort("timestamp", DESCENDING).limit(1)
    document = next(iter(latest), None)
    return None if document is None else _snapshot_run(document)


def find_latest_complete_run_by_timeframe(db: Database[Any], timeframes: tuple[str, ...]) -> dict[str, SnapshotRun]:
    """The latest complete run of each timeframe that has one (a run still being taken is no snapshot yet)."""
    latest: dict[str, SnapshotRun] = {}
    for timeframe in timeframes:
        query = {"timeframe": timeframe, "status": COMPLETE}
        document = next(iter(db[COLLECTION].find(query).sort("timestamp", DESCENDING).limit(1)), None)
        if document is not None:
            latest[timeframe] = _snapshot_run(document)
    return latest
