"""The snapshotruns repository against the development database: claims, completion and the latest runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.store import snapshotruns
from tracking.store.snapshotruns import SnapshotRun

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)


def test_a_claim_is_stored_once_per_timeframe_and_period_key(db: Database[Any]) -> None:
    assert (
        snapshotruns.claim_run(db, timeframe="day", period_key="2026-11-28", timestamp=NOW, final=True, claimed_at=NOW)
        is True
    )
    assert (
        snapshotruns.claim_run(db, timeframe="day", period_key="2026-11-28", timestamp=NOW, final=False, claimed_at=NOW)
        is False
    )
    assert list(db["snapshotruns"].find()) == [
        {
            "_id": "day|2026-11-28",
            "timeframe": "day",
            "periodKey": "2026-11-28",
            "timestamp": NOW,
            "final": True,
            "status": "taking",
            "count": 0,
            "claimedAt": NOW,
        }
    ]


def test_complete_and_reclaim_update_the_run(db: Database[Any]) -> None:
    snapshotruns.claim_run(db, timeframe="week", period_key="2026-W48", timestamp=NOW, final=False, claimed_at=NOW)
    snapshotruns.complete_run(db, timeframe="week", period_key="2026-W48", count=7)
    assert snapshotruns.find_run_by_key(db, timeframe="week", period_key="2026-W48") == SnapshotRun(
        "week", "2026-W48", NOW, False, "complete", 7, NOW
    )
    later = NOW + timedelta(days=1)
    snapshotruns.reclaim_run(db, timeframe="week", period_key="2026-W48", timestamp=later, final=True, claimed_at=later)
    assert snapshotruns.find_run_by_key(db, timeframe="week", period_key="2026-W48") == SnapshotRun(
        "week", "2026-W48", later, True, "taking", 0, later
    )
    assert db["snapshotruns"].count_documents({}) == 1
    assert snapshotruns.find_run_by_key(db, timeframe="week", period_key="2026-W47") is None


def test_latest_runs_by_timeframe_and_the_latest_complete_one(db: Database[Any]) -> None:
    for key, hours_ago, complete in (("a", 3, True), ("b", 2, True), ("c", 1, False)):
        snapshotruns.claim_run(
            db, timeframe="day", period_key=key, timestamp=NOW - timedelta(hours=hours_ago), final=True, claimed_at=NOW
        )
        if complete:
            snapshotruns.complete_run(db, timeframe="day", period_key=key, count=2)
    snapshotruns.claim_run(db, timeframe="month", period_key="2026-10", timestamp=NOW, final=True, claimed_at=NOW)

    # A run still being taken is no snapshot yet: "c" and the month's are left out.
    latest = snapshotruns.find_latest_complete_run_by_timeframe(db, ("day", "week", "month"))
    assert latest == {"day": SnapshotRun("day", "b", NOW - timedelta(hours=2), True, "complete", 2, NOW)}
    assert snapshotruns.find_latest_complete_run(db, "day") == SnapshotRun(
        "day", "b", NOW - timedelta(hours=2), True, "complete", 2, NOW
    )
    assert snapshotruns.find_latest_complete_run(db, "month") is None


def test_a_run_without_status_reads_as_none(db: Database[Any]) -> None:
    db["snapshotruns"].insert_one({"_id": "day|x", "timeframe": "day", "periodKey": "x", "timestamp": NOW})
    assert snapshotruns.find_run_by_key(db, timeframe="day", period_key="x") == SnapshotRun(
        "day", "x", NOW, False, None, None
    )


def test_only_a_run_still_taking_since_before_the_cutoff_is_deleted_as_stale(db: Database[Any]) -> None:
    old = NOW - timedelta(hours=1)
    snapshotruns.claim_run(db, timeframe="day", period_key="dead", timestamp=old, final=True, claimed_at=old)
    snapshotruns.claim_run(db, timeframe="day", period_key="alive", timestamp=NOW, final=True, claimed_at=NOW)
    snapshotruns.claim_run(db, timeframe="day", period_key="done", timestamp=old, final=True, claimed_at=old)
    snapshotruns.complete_run(db, timeframe="day", period_key="done", count=3)
    cutoff = NOW - timedelta(minutes=15)
    assert snapshotruns.delete_stale_run(db, timeframe="day", period_key="dead", claimed_before=cutoff) is True
    assert snapshotruns.delete_stale_run(db, timeframe="day", period_key="dead", claimed_before=cutoff) is False
    assert snapshotruns.delete_stale_run(db, timeframe="day", period_key="alive", claimed_before=cutoff) is False
    assert snapshotruns.delete_stale_run(db, timeframe="day", period_key="done", claimed_before=cutoff) is False
    assert sorted(doc["_id"] for doc in db["snapshotruns"].find()) == ["day|alive", "day|done"]
