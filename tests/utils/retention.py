"""120 days of data around the retention boundaries, recorded through the real services.

``seed_retention_data(db, now, slack)`` records sessions (each with ``now`` = the moment it ended, so
their daily totals and boards are what ingest makes), snapshots and users just inside (``slack`` after the
cut-off) and just outside (``slack``, at least 1 ms, before it) of every retention period of the default
policy, and returns what the cleanup must delete and archive. The idle users' sessions, and the history
that fills the week and month boards, are gone already: an earlier cleanup took them, as it would have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from tests.utils.replaced_server import insert_replaced_session, insert_replaced_user
from tracking import config
from tracking.domain.days import days_overlapped
from tracking.domain.periods import Timeframe, period_at, previous_period, snapshot_key
from tracking.domain.retention import PRUNED_TIMEFRAMES, RetentionPolicy, cutoffs
from tracking.domain.sessions import NewSession
from tracking.services import retention
from tracking.services.ingest import record_sessions, sweep_rolling_board
from tracking.services.snapshots import take_snapshot
from tracking.store import users

ACTIVE = "100000000000000001"  # a session every day for 120 days
BOUNDARY = "100000000000000002"  # one session ending at the cut-off, one just before
UNSUMMED = "100000000000000003"  # the replaced server's user, with an old session that has no daily total
KEPT_IDLE = "100000000000000004"  # last session exactly 365 days ago (slack after): kept
IDLE = "100000000000000005"  # last session just over 365 days ago: archived
NEVER = "100000000000000006"  # never had a session: never archived
ARCHIVED = "100000000000000007"  # archived long ago: left as it is

DAYS = 120
MS = timedelta(milliseconds=1)
HOUR = timedelta(hours=1)

# (timeframe, periodKey) of a snapshot.
SnapshotKey = tuple[str, str]


@dataclass
class Seed:
    now: datetime
    deleted_session_ids: set[str] = field(default_factory=set)
    kept_session_ids: set[str] = field(default_factory=set)
    deleted_snapshots: set[SnapshotKey] = field(default_factory=set)
    kept_snapshots: set[SnapshotKey] = field(default_factory=set)
    aggregated_days: int = 0
    archived_user_ids: tuple[str, ...] = (IDLE,)


def _session(session_id: str, user_id: str, start: datetime, end: datetime) -> NewSession:
    return NewSession(
        session_id=session_id,
        user_id=user_id,
        username=f"user-{user_id[-1]}",
        start=start,
        end=end,
        languages={"python": (end - start).total_seconds()},
        project_name="distrack",
        editor="vscode",
    )


def _snapshot_instants(timeframe: Timeframe, cutoff: datetime) -> tuple[datetime, datetime]:
    """A moment in the period before the cut-off's, and one in the cut-off's period: the board periods to record."""
    zone = config.settings().board_timezone
    if timeframe == "last24h":
        return cutoff - HOUR, cutoff
    return previous_period(timeframe, cutoff, zone).start, period_at(timeframe, cutoff, zone).start


def seed_retention_data(db: Database[Any], now: datetime, slack: timedelta = timedelta(0)) -> Seed:
    settings = config.settings()
    zone = settings.board_timezone
    cut = cutoffs(RetentionPolicy(), now)
    before = max(slack, MS)
    seed = Seed(now)
    aggregated: set[tuple[str, str]] = set()
    recorded: list[NewSession] = []
    for day in range(DAYS):
        end = now - timedelta(days=day, hours=1)
        recorded.append(_session(f"active-{day}", ACTIVE, end - HOUR, end))
        gone = end < cut.sessions - slack
        (seed.deleted_session_ids if gone else seed.kept_session_ids).add(f"active-{day}")
        if gone:
            aggregated.update((ACTIVE, utc_day.isoformat()) for utc_day in days_overlapped(end - HOUR, end))
    kept_end, gone_end = cut.sessions + slack, cut.sessions - before
    recorded.append(_session("boundary-kept", BOUNDARY, kept_end - timedelta(minutes=10), kept_end))
    recorded.append(_session("boundary-gone", BOUNDARY, gone_end - timedelta(minutes=10), gone_end))
    seed.kept_session_ids.add("boundary-kept")
    seed.deleted_session_ids.add("boundary-gone")
    gone_days = days_overlapped(gone_end - timedelta(minutes=10), gone_end)
    aggregated.update((BOUNDARY, utc_day.isoformat()) for utc_day in gone_days)
    seed.aggregated_days = len(aggregated)

    # Older history, which an earlier cleanup deleted: the week and month boards around their snapshot
    # cut-offs (ACTIVE and KEPT_IDLE coded then), and the idle users' last sessions.
    history = {"week": ACTIVE, "month": KEPT_IDLE}
    for timeframe, user_id in history.items():
        for index, start in enumerate(_snapshot_instants(timeframe, cut.snapshots[timeframe])):
            recorded.append(_session(f"{timeframe}-{index}", user_id, start + HOUR, start + 2 * HOUR))
    for user_id, end in (
        (KEPT_IDLE, cut.inactive_users + slack),
        (IDLE, cut.inactive_users - before),
        (ARCHIVED, now - timedelta(days=900)),
    ):
        recorded.append(_session(f"last-{user_id[-1]}", user_id, end - HOUR, end))

    for session in sorted(recorded, key=lambda session: session.end):
        assert record_sessions(db, batch=[session], now=session.end, settings=settings) == [True]
    earlier = now - timedelta(days=DAYS)  # every session kept above ends after it
    earlier_cleanup = retention.clean_sessions(
        db, user_ids=[ACTIVE, KEPT_IDLE, IDLE, ARCHIVED], cutoff=earlier, dry_run=False
    )
    assert earlier_cleanup == {"aggregated": 7, "deleted": 7, "unsummed": 0}
    archived_at = now - timedelta(days=500)
    assert (
        retention.archive_inactive_users(
            db, cutoff=archived_at - timedelta(days=365), now=archived_at, dry_run=False, settings=settings
        )
        == 1
    )
    insert_replaced_user(
        db,
        UNSUMMED,
        totalCodingTime=3600.0,
        longestStreak=1,
        languages={"python": 3600.0},
        lastSessionDate=now - timedelta(days=100) + HOUR,
    )
    # Its time is in totalCodingTime only, so its day has no daily total.
    insert_replaced_session(db, UNSUMMED, session_date=now - timedelta(days=100), seconds=3600.0, session_id="unsummed")
    seed.kept_session_ids.add("unsummed")
    users.insert_user(db, user_id=NEVER, username="user-6", now=now - timedelta(days=400))
    # What the minute sweeper did meanwhile: only the sessions of the last 24 hours stay on that board.
    sweep_rolling_board(db, now=now)

    for timeframe in PRUNED_TIMEFRAMES:
        cutoff = cut.snapshots[timeframe]
        earlier_period, cutoff_period = _snapshot_instants(timeframe, cutoff)
        for key, at, kept in (
            (snapshot_key(timeframe, earlier_period, zone), cutoff - before, False),
            (snapshot_key(timeframe, cutoff_period, zone), cutoff + slack, True),
        ):
            take_snapshot(db, timeframe=timeframe, now=now, zone=zone, period_key=key, timestamp=at)
            (seed.kept_snapshots if kept else seed.deleted_snapshots).add((timeframe, key))
    take_snapshot(
        db, timeframe="allTime", now=now, zone=zone, period_key="2019-01-01", timestamp=now - timedelta(days=3000)
    )
    seed.kept_snapshots.add(("allTime", "2019-01-01"))
    return seed


DERIVED_USER_FIELDS = (
    "userId",
    "username",
    "totalCodingTime",
    "currentStreak",
    "longestStreak",
    "languages",
    "lastSessionDate",
)


def reads(db: Database[Any]) -> dict[str, Any]:
    """What totals, streaks, languages, boards and history read: derived user fields, daily totals, boards."""
    users = {doc["userId"]: {f: doc.get(f) for f in DERIVED_USER_FIELDS} for doc in db["users"].find()}
    totals = sorted((doc["userId"], doc["day"], doc["seconds"], doc["languages"]) for doc in db["dailytotals"].find())
    boards = sorted((doc["board"], doc["key"], doc["userId"], doc["total"]) for doc in db["boards"].find())
    return {"users": users, "dailytotals": totals, "boards": boards}


def snapshot_keys(db: Database[Any]) -> set[SnapshotKey]:
    return {(doc["timeframe"], doc["periodKey"]) for doc in db["leaderboardsnapshots"].find()}
