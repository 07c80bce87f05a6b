"""The leaderboardsnapshots repository against the development database: rows, ranks, history, counts, deletes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.store import snapshotruns, snapshots
from tracking.store.snapshots import HistoryEntry, SnapshotRow

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)
ADA, BOB, CY = "100000000000000001", "100000000000000002", "100000000000000003"


def row(user_id: str, rank: int, *, timeframe: str = "day", key: str = "2026-11-28", at: datetime = NOW) -> SnapshotRow:
    return SnapshotRow(user_id, f"user-{user_id[-1]}", timeframe, key, at, rank, 3600.0 / rank)


def test_rows_are_stored_in_the_replaced_servers_shape_plus_the_period_key(db: Database[Any]) -> None:
    snapshots.insert_rows(db, [row(ADA, 1), row(BOB, 2)])
    snapshots.insert_rows(db, [])
    assert list(db["leaderboardsnapshots"].find().sort("rank", 1)) == [
        {
            "_id": f"day|2026-11-28|{ADA}",
            "userId": ADA,
            "username": "user-1",
            "timeframe": "day",
            "periodKey": "2026-11-28",
            "timestamp": NOW,
            "rank": 1,
            "totalTime": 3600.0,
        },
        {
            "_id": f"day|2026-11-28|{BOB}",
            "userId": BOB,
            "username": "user-2",
            "timeframe": "day",
            "periodKey": "2026-11-28",
            "timestamp": NOW,
            "rank": 2,
            "totalTime": 1800.0,
        },
    ]


def test_ranks_by_period_and_in_the_latest_complete_snapshot(db: Database[Any]) -> None:
    snapshots.insert_rows(db, [row(ADA, 1, key="old"), row(BOB, 2, key="old")])
    snapshots.insert_rows(db, [row(BOB, 1, key="new"), row(ADA, 2, key="new")])
    snapshots.insert_rows(db, [row(CY, 1, key="taking")])
    for key, hours_ago in (("old", 48), ("new", 24)):
        snapshotruns.claim_run(
            db, timeframe="day", period_key=key, timestamp=NOW - timedelta(hours=hours_ago), final=True, claimed_at=NOW
        )
        snapshotruns.complete_run(db, timeframe="day", period_key=key, count=2)
    snapshotruns.claim_run(db, timeframe="day", period_key="taking", timestamp=NOW, final=True, claimed_at=NOW)

    assert snapshots.find_ranks_by_period(db, timeframe="day", period_key="old", user_ids=[ADA, BOB, CY]) == {
        ADA: 1,
        BOB: 2,
    }
    assert snapshots.find_ranks_by_period(db, timeframe="day", period_key="old", user_ids=[]) == {}
    # The snapshot still being taken is not the latest one.
    assert snapshots.find_latest_ranks(db, timeframe="day", user_ids=[ADA, BOB, CY]) == {BOB: 1, ADA: 2}
    assert snapshots.find_latest_ranks(db, timeframe="week", user_ids=[ADA]) == {}


def test_history_is_newest_first_with_a_limit(db: Database[Any]) -> None:
    snapshots.insert_rows(db, [row(ADA, rank, key=f"k{rank}", at=NOW - timedelta(days=rank)) for rank in (1, 2, 3)])
    snapshots.insert_rows(db, [row(ADA, 1, timeframe="week", key="2026-W48")])
    assert snapshots.find_history_by_user(db, user_id=ADA, timeframe="day", limit=2) == [
        HistoryEntry(NOW - timedelta(days=1), "k1", 1, 3600.0),
        HistoryEntry(NOW - timedelta(days=2), "k2", 2, 1800.0),
    ]
    assert snapshots.find_history_by_user(db, user_id=BOB, timeframe="day", limit=2) == []


def test_counts_users_and_deletes(db: Database[Any]) -> None:
    snapshots.insert_rows(db, [row(ADA, 1), row(BOB, 2)])
    snapshots.insert_rows(db, [row(ADA, 1, timeframe="week", key="2026-W48", at=NOW - timedelta(days=200))])
    assert snapshots.count_rows(db) == 3
    assert snapshots.count_rows_by_timeframe(db, ("day", "week", "month")) == {"day": 2, "week": 1, "month": 0}
    assert snapshots.find_user_ids(db) == {ADA, BOB}
    assert snapshots.count_rows_by_users(db, {ADA}) == 2
    assert snapshots.count_rows_by_users(db, set()) == 0

    cutoff = NOW - timedelta(days=180)
    assert snapshots.delete_snapshots_before(db, timeframe="week", cutoff=cutoff, dry_run=True) == 1
    assert snapshots.count_rows(db) == 3
    assert snapshots.delete_snapshots_before(db, timeframe="week", cutoff=cutoff, dry_run=False) == 1
    assert snapshots.delete_snapshots_before(db, timeframe="day", cutoff=cutoff, dry_run=False) == 0
    assert snapshots.delete_rows_by_period(db, timeframe="day", period_key="2026-11-28") == 2
    assert db["leaderboardsnapshots"].count_documents({}) == 0
