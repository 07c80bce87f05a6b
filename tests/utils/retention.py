"""120 days of data around the retention boundaries, inserted directly (docs/data.md shapes).

``seed_retention_data(db, now, slack)`` puts documents just inside (``slack`` after the cut-off) and
just outside (``slack``, at least 1 ms, before it) of every retention period of the default policy,
and returns what the cleanup must delete and archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.domain.days import days_overlapped
from tracking.domain.retention import RetentionPolicy, cutoffs

ACTIVE = "100000000000000001"  # a session every day for 120 days
BOUNDARY = "100000000000000002"  # one session ending at the cut-off, one just before
UNSUMMED = "100000000000000003"  # an old session whose day has no daily total
KEPT_IDLE = "100000000000000004"  # last session exactly 365 days ago (slack after): kept
IDLE = "100000000000000005"  # last session just over 365 days ago: archived
NEVER = "100000000000000006"  # never had a session: never archived
ARCHIVED = "100000000000000007"  # archived long ago: left as it is

DAYS = 120
MS = timedelta(milliseconds=1)


@dataclass
class Seed:
    now: datetime
    deleted_session_ids: set[str] = field(default_factory=set)
    kept_session_ids: set[str] = field(default_factory=set)
    deleted_snapshot_ids: set[str] = field(default_factory=set)
    kept_snapshot_ids: set[str] = field(default_factory=set)
    aggregated_days: int = 0
    archived_user_ids: tuple[str, ...] = (IDLE,)


def _session(session_id: str, user_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "sessionKey": f"{user_id}|{session_id}",
        "sessionId": session_id,
        "userId": user_id,
        "username": f"user-{user_id[-1]}",
        "startTime": start,
        "endTime": end,
        "duration": (end - start).total_seconds(),
        "languages": {"python": (end - start).total_seconds()},
        "projectName": "distrack",
        "editor": "vscode",
        "createdAt": end,
    }


def _user(user_id: str, last_session: datetime | None, **extra: Any) -> dict[str, Any]:
    return {
        "userId": user_id,
        "username": f"user-{user_id[-1]}",
        "totalCodingTime": 3600.0 * int(user_id[-1]),
        "currentStreak": int(user_id[-1]),
        "longestStreak": 10,
        "languages": {"python": 1800.0, "go": 1800.0, "other": 0.0},
        "lastSessionDate": last_session,
        "isPublic": True,
        "archived": False,
        "archivedAt": None,
        **extra,
    }


def seed_retention_data(db: Database[Any], now: datetime, slack: timedelta = timedelta(0)) -> Seed:
    cut = cutoffs(RetentionPolicy(), now)
    before = max(slack, MS)
    seed = Seed(now)
    aggregated: set[tuple[str, str]] = set()
    sessions: list[dict[str, Any]] = []
    for day in range(DAYS):
        end = now - timedelta(days=day, hours=1)
        sessions.append(_session(f"active-{day}", ACTIVE, end - timedelta(hours=1), end))
        gone = end < cut.sessions - slack
        (seed.deleted_session_ids if gone else seed.kept_session_ids).add(f"active-{day}")
        if gone:
            aggregated.update((ACTIVE, key) for key in days_overlapped(end - timedelta(hours=1), end))
    kept_end, gone_end = cut.sessions + slack, cut.sessions - before
    sessions.append(_session("boundary-kept", BOUNDARY, kept_end - timedelta(minutes=10), kept_end))
    sessions.append(_session("boundary-gone", BOUNDARY, gone_end - timedelta(minutes=10), gone_end))
    seed.kept_session_ids.add("boundary-kept")
    seed.deleted_session_ids.add("boundary-gone")
    aggregated.update((BOUNDARY, key) for key in days_overlapped(gone_end - timedelta(minutes=10), gone_end))
    seed.aggregated_days = len(aggregated)
    unsummed_end = now - timedelta(days=100)
    sessions.append(_session("unsummed", UNSUMMED, unsummed_end - timedelta(hours=1), unsummed_end))
    seed.kept_session_ids.add("unsummed")
    db["codingsessions"].insert_many(sessions)

    totals: dict[tuple[str, str], float] = {}
    for session in sessions:
        if session["userId"] == UNSUMMED:
            continue
        for day in days_overlapped(session["startTime"], session["endTime"]):
            day_key = day.isoformat()
            totals[(session["userId"], day_key)] = totals.get((session["userId"], day_key), 0.0) + session["duration"]
    db["dailytotals"].insert_many(
        [
            {
                "userId": user_id,
                "day": day_key,
                "date": datetime.fromisoformat(day_key).replace(tzinfo=UTC),
                "seconds": seconds,
                "hours": [0.0] * 23 + [seconds],
                "languages": {"python": seconds},
                "updatedAt": now,
            }
            for (user_id, day_key), seconds in sorted(totals.items())
        ]
    )

    snapshots: list[dict[str, Any]] = []
    for timeframe, cutoff in cut.snapshots.items():
        for name, timestamp in (("kept", cutoff + slack), ("gone", cutoff - before)):
            snapshot_id = f"{timeframe}-{name}"
            snapshots.append(
                {
                    "_id": snapshot_id,
                    "userId": ACTIVE,
                    "username": "user-1",
                    "timeframe": timeframe,
                    "periodKey": f"{timeframe}-{name}",
                    "timestamp": timestamp,
                    "rank": 1,
                    "totalTime": 3600.0,
                }
            )
            (seed.kept_snapshot_ids if name == "kept" else seed.deleted_snapshot_ids).add(snapshot_id)
    snapshots.append(
        {
            "_id": "allTime-ancient",
            "userId": ACTIVE,
            "username": "user-1",
            "timeframe": "allTime",
            "periodKey": "2019-01-01",
            "timestamp": now - timedelta(days=3000),
            "rank": 1,
            "totalTime": 3600.0,
        }
    )
    seed.kept_snapshot_ids.add("allTime-ancient")
    db["leaderboardsnapshots"].insert_many(snapshots)

    db["users"].insert_many(
        [
            _user(ACTIVE, now - timedelta(hours=1)),
            _user(BOUNDARY, kept_end),
            _user(UNSUMMED, unsummed_end),
            _user(KEPT_IDLE, cut.inactive_users + slack),
            _user(IDLE, cut.inactive_users - before),
            _user(NEVER, None),
            _user(ARCHIVED, now - timedelta(days=900), archived=True, archivedAt=now - timedelta(days=500)),
        ]
    )
    db["boards"].insert_many(
        [
            {"board": "allTime", "key": "all", "userId": ACTIVE, "total": 7200.0, "updatedAt": now},
            {"board": "allTime", "key": "all", "userId": BOUNDARY, "total": 1200.0, "updatedAt": now},
            {"board": "week", "key": "2026-W48", "userId": ACTIVE, "total": 3600.0, "updatedAt": now},
            {"board": "allTime:python", "key": "all", "userId": ACTIVE, "total": 7200.0, "updatedAt": now},
        ]
    )
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
