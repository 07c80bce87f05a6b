"""Snapshots survive a taker that died mid-run: its claim expires and the next run takes the period again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tracking import config
from tracking.domain.periods import snapshot_key
from tracking.domain.sessions import NewSession
from tracking.errors import Conflict
from tracking.services import snapshots as snapshot_service
from tracking.services.ingest import record_sessions
from tracking.store import snapshotruns, snapshots

NOW = datetime.now(UTC).replace(microsecond=0)
ZONE = config.settings().board_timezone


def board_of_two(db: Database[Any]) -> str:
    for user_id, minutes in (("1", 30), ("2", 20)):
        start = NOW - timedelta(hours=1)
        session = NewSession(
            f"s{user_id}", user_id, f"user{user_id}", start, start + timedelta(minutes=minutes), {}, None, None
        )
        record_sessions(db, batch=[session], now=NOW, settings=config.settings())
    return snapshot_key("allTime", NOW, ZONE)


def test_a_run_abandoned_while_taking_is_taken_again(db: Database[Any]) -> None:
    key = board_of_two(db)
    # A taker claimed the period an hour ago, wrote one row and died.
    abandoned = NOW - timedelta(hours=1)
    snapshotruns.claim_run(
        db, timeframe="allTime", period_key=key, timestamp=abandoned, final=False, claimed_at=abandoned
    )
    snapshots.insert_rows(db, [snapshots.SnapshotRow("1", "user1", "allTime", key, abandoned, 1, 1.0)])

    result = snapshot_service.take_snapshot(db, timeframe="allTime", now=NOW, zone=ZONE)
    assert (result.period_key, result.count) == (key, 2)
    run = snapshotruns.find_run_by_key(db, timeframe="allTime", period_key=key)
    assert run is not None and (run.status, run.count) == ("complete", 2)
    rows = sorted((row["userId"], row["rank"], row["totalTime"]) for row in db["leaderboardsnapshots"].find())
    assert rows == [("1", 1, 1800.0), ("2", 2, 1200.0)]


def test_a_run_being_taken_right_now_is_left_to_its_taker(db: Database[Any]) -> None:
    key = board_of_two(db)
    snapshotruns.claim_run(
        db, timeframe="allTime", period_key=key, timestamp=NOW, final=False, claimed_at=datetime.now(UTC)
    )
    with pytest.raises(Conflict, match=f"A snapshot of allTime for {key} already exists"):
        snapshot_service.take_snapshot(db, timeframe="allTime", now=NOW, zone=ZONE)
    assert db["leaderboardsnapshots"].count_documents({}) == 0
