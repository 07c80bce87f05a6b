"""Leaderboard snapshots: taking one now, taking every one a timer owes, and a user's rank history.

A snapshot is claimed in ``snapshotruns`` before any row is written to ``leaderboardsnapshots``, so a
second snapshot of the same (timeframe, period key) is refused (409) and a repeated timer run does
nothing. A close snapshot (``final``) replaces an earlier manual one of the same period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking.domain.access import Caller
from tracking.domain.periods import (
    ALL_TIME_KEY,
    CALENDAR_TIMEFRAMES,
    ROLLING_KEY,
    Timeframe,
    previous_period,
    snapshot_key,
)
from tracking.domain.profiles import DEFAULT_USERNAME, can_see_profile
from tracking.errors import Conflict, UserNotFound
from tracking.services import webhook_events
from tracking.store import boards, snapshotruns, snapshots, users
from tracking.store.snapshots import HistoryEntry, SnapshotRow

BATCH = 1000
# Far longer than taking any snapshot lasts: a run still being taken after this was abandoned.
SNAPSHOT_LEASE = timedelta(minutes=15)


@dataclass(frozen=True)
class SnapshotResult:
    timeframe: str
    period_key: str
    count: int


@dataclass(frozen=True)
class SnapshotOutcome:
    """One timeframe of a batch of snapshots: what was taken, or why not."""

    timeframe: Timeframe
    taken: SnapshotResult | None
    refused: str | None  # the Conflict message when this period already has a snapshot


def _clock() -> datetime:
    return datetime.now(UTC)


def _took_over_a_dead_run(db: Database[Any], *, timeframe: Timeframe, period_key: str) -> bool:
    """Whether the run of this key was still being taken long after its claim, and is now gone with its rows.

    A taker that died mid-run leaves its run ``taking``: without this, that period would never be
    snapshotted, and a manual snapshot would answer 409 for ever.
    """
    if not snapshotruns.delete_stale_run(
        db, timeframe=timeframe, period_key=period_key, claimed_before=_clock() - SNAPSHOT_LEASE
    ):
        return False
    snapshots.delete_rows_by_period(db, timeframe=timeframe, period_key=period_key)
    return True


def _board_key(timeframe: Timeframe, period_key: str) -> str:
    if timeframe == "allTime":
        return ALL_TIME_KEY
    if timeframe == "last24h":
        return ROLLING_KEY
    return period_key


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
    taken_at = timestamp or now

    def claim() -> bool:
        return snapshotruns.claim_run(
            db, timeframe=timeframe, period_key=key, timestamp=taken_at, final=final, claimed_at=_clock()
        )

    if not claim() and not (_took_over_a_dead_run(db, timeframe=timeframe, period_key=key) and claim()):
        existing = snapshotruns.find_run_by_key(db, timeframe=timeframe, period_key=key)
        if not final or (existing is not None and existing.final):
            raise Conflict(f"A snapshot of {timeframe} for {key} already exists")
        snapshots.delete_rows_by_period(db, timeframe=timeframe, period_key=key)
        snapshotruns.reclaim_run(
            db, timeframe=timeframe, period_key=key, timestamp=taken_at, final=final, claimed_at=_clock()
        )

    count = 0
    entries = iter(boards.stream_board(db, board=timeframe, key=_board_key(timeframe, key)))
    while batch := list(islice(entries, BATCH)):
        names = users.find_usernames_by_ids(db, [entry.user_id for entry in batch])
        rows = [
            SnapshotRow(
                user_id=entry.user_id,
                username=names.get(entry.user_id) or DEFAULT_USERNAME,
                timeframe=timeframe,
                period_key=key,
                timestamp=taken_at,
                rank=count + index + 1,
                total_time=entry.total,
            )
            for index, entry in enumerate(batch)
        ]
        snapshots.insert_rows(db, rows)
        count += len(rows)
    snapshotruns.complete_run(db, timeframe=timeframe, period_key=key, count=count)
    return SnapshotResult(timeframe, key, count)


def take_current_snapshots(
    db: Database[Any], *, timeframes: Sequence[Timeframe], now: datetime, zone: ZoneInfo
) -> list[SnapshotOutcome]:
    """Snapshot the current period of each timeframe; one that already has a snapshot is reported, not retaken."""
    outcomes = []
    for timeframe in timeframes:
        try:
            taken = take_snapshot(db, timeframe=timeframe, now=now, zone=zone)
        except Conflict as conflict:
            outcomes.append(SnapshotOutcome(timeframe, None, conflict.message))
            continue
        outcomes.append(SnapshotOutcome(timeframe, taken, None))
    return outcomes


def take_due_snapshots(db: Database[Any], *, now: datetime, zone: ZoneInfo) -> list[SnapshotResult]:
    """The snapshots a timer owes at ``now``; repeated or late runs take only what is missing.

    Day, week and month: the period that just closed, with its final standing (and its ``board.closed``
    webhook event). All time: once a day, keyed by the day that just closed. Last 24 hours: once an hour.
    """
    taken: list[SnapshotResult] = []
    for timeframe in CALENDAR_TIMEFRAMES:
        closed = previous_period(timeframe, now, zone)
        existing = snapshotruns.find_run_by_key(db, timeframe=timeframe, period_key=closed.key)
        if existing is None or not existing.final:
            taken.append(
                take_snapshot(
                    db, timeframe=timeframe, now=now, zone=zone, period_key=closed.key, timestamp=closed.end, final=True
                )
            )
            # The period's close is its webhook event too (once: the event id is the board and period key).
            webhook_events.record_board_closed(db, period=closed, zone=zone, now=now)
    daily_and_hourly: list[tuple[Timeframe, str]] = [
        ("allTime", previous_period("day", now, zone).key),
        ("last24h", snapshot_key("last24h", now, zone)),
    ]
    for timeframe, key in daily_and_hourly:
        if snapshotruns.find_run_by_key(db, timeframe=timeframe, period_key=key) is None:
            taken.append(take_snapshot(db, timeframe=timeframe, now=now, zone=zone, period_key=key, final=True))
    return taken


def rank_history(
    db: Database[Any], *, user_id: str, timeframe: Timeframe, limit: int, caller: Caller
) -> list[HistoryEntry]:
    """GET /api/user/{userId}/history/{timeframe}: the user's rank in the latest snapshots, newest first.

    A private user's history is theirs, as their profile is: others get 404, as for a hidden profile's stats.
    """
    user = users.find_user_by_id(db, user_id)
    if user is not None and not can_see_profile(user, caller):
        raise UserNotFound()
    return snapshots.find_history_by_user(db, user_id=user_id, timeframe=timeframe, limit=limit)
