"""Leaderboard reads: a page of a board with names and trends, a user's own entry and neighbours.

Each read is a bounded number of index walks and point lookups whatever the number of users: the
page, one ``$in`` for names, one for previous ranks, and for ``userId`` a point read, two counts
and two short walks for the neighbours.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking.domain.credit import board_name
from tracking.domain.periods import Timeframe, period_at
from tracking.domain.ranking import is_listed, rank_delta
from tracking.errors import BadRequest
from tracking.models import (
    GrowthEntryPublic,
    LeaderboardEntryPublic,
    LeaderboardPublic,
    LeaderboardQuery,
    TopUserPublic,
)
from tracking.store import boards, snapshots
from tracking.store.boards import BoardEntry

NEIGHBOURS = 2
GROWTH_WINDOWS = {"day": 1, "1d": 1, "week": 7, "7d": 7, "month": 30, "30d": 30}


def encode_cursor(entry: BoardEntry) -> str:
    return base64.urlsafe_b64encode(json.dumps([entry.total, entry.user_id]).encode()).decode()


def decode_cursor(cursor: str) -> BoardEntry:
    try:
        total, user_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(total, int | float) or not isinstance(user_id, str):
            raise ValueError("wrong types")
    except (ValueError, TypeError) as error:
        raise BadRequest("Invalid cursor: use the nextCursor of a previous page") from error
    return BoardEntry(user_id, float(total))


def _names(db: Database[Any], user_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not user_ids:
        return {}
    cursor = db["users"].find(
        {"userId": {"$in": user_ids}}, {"userId": 1, "username": 1, "displayName": 1, "avatarUrl": 1}
    )
    return {doc["userId"]: doc for doc in cursor}


def _entries(
    db: Database[Any], *, timeframe: str, ranked: list[tuple[int, BoardEntry]]
) -> list[LeaderboardEntryPublic]:
    user_ids = [entry.user_id for _, entry in ranked]
    names = _names(db, user_ids)
    previous = snapshots.find_latest_ranks(db, timeframe=timeframe, user_ids=user_ids)
    result = []
    for rank, entry in ranked:
        user = names.get(entry.user_id, {})
        username = user.get("username") or "Anonymous"
        previous_rank = previous.get(entry.user_id)
        result.append(
            LeaderboardEntryPublic(
                userId=entry.user_id,
                username=username,
                displayName=user.get("displayName") or username,
                rank=rank,
                totalTime=round(entry.total, 3),
                rankDelta=rank_delta(rank, previous_rank),
                previousRank=previous_rank,
            )
        )
    return result


def read_board(
    db: Database[Any], *, timeframe: Timeframe, query: LeaderboardQuery, now: datetime, zone: ZoneInfo
) -> LeaderboardPublic:
    period = period_at(timeframe, now, zone)
    board = board_name(timeframe, query.language)
    if query.cursor:
        after = decode_cursor(query.cursor)
        page = boards.find_after(
            db, board=board, key=period.key, total=after.total, user_id=after.user_id, limit=query.limit
        )
        first_rank = (
            boards.count_ahead(db, board=board, key=period.key, total=page[0].total, user_id=page[0].user_id) + 1
            if page
            else 0
        )
    else:
        offset = (query.page - 1) * query.limit
        page = boards.find_page(db, board=board, key=period.key, offset=offset, limit=query.limit)
        first_rank = offset + 1
    ranked = [(first_rank + index, entry) for index, entry in enumerate(page)]

    me: list[tuple[int, BoardEntry]] = []
    around: list[tuple[int, BoardEntry]] = []
    own = boards.find_entry(db, board=board, key=period.key, user_id=query.userId) if query.userId else None
    if own is not None:
        rank = boards.count_ahead(db, board=board, key=period.key, total=own.total, user_id=own.user_id) + 1
        me = [(rank, own)]
        above = boards.find_before(
            db, board=board, key=period.key, total=own.total, user_id=own.user_id, limit=NEIGHBOURS
        )
        below = boards.find_after(
            db, board=board, key=period.key, total=own.total, user_id=own.user_id, limit=NEIGHBOURS
        )
        around = [(rank - len(above) + index, entry) for index, entry in enumerate(above)]
        around += [(rank + 1 + index, entry) for index, entry in enumerate(below)]

    everyone = _entries(db, timeframe=timeframe, ranked=ranked + me + around)
    entries, mine, neighbours = (
        everyone[: len(ranked)],
        everyone[len(ranked) : len(ranked) + len(me)],
        everyone[len(ranked) + len(me) :],
    )
    calendar = timeframe in ("day", "week", "month", "last24h")
    return LeaderboardPublic(
        timeframe=timeframe,
        periodKey=period.key,
        language=query.language,
        start=period.start if calendar else None,
        end=period.end if calendar else None,
        timezone=str(zone) if timeframe != "last24h" else "UTC",
        generatedAt=now,
        entries=entries,
        me=mine[0] if mine else None,
        neighbours=neighbours,
        nextCursor=encode_cursor(page[-1]) if len(page) == query.limit else None,
    )


def read_top_all_time(db: Database[Any], *, limit: int) -> list[TopUserPublic]:
    page = boards.find_page(db, board="allTime", key="all", offset=0, limit=limit)
    names = _names(db, [entry.user_id for entry in page])
    result = []
    for entry in page:
        user = names.get(entry.user_id, {})
        username = user.get("username") or "Anonymous"
        result.append(
            TopUserPublic(
                username=username,
                displayName=user.get("displayName") or username,
                totalCodingTime=round(entry.total, 3),
                userId=entry.user_id,
            )
        )
    return result


def _hourly_seconds(db: Database[Any], start: datetime, end: datetime) -> dict[str, float]:
    """Credited seconds per user in whole UTC hours ``[start, end)``, from the daily totals' hour slots."""
    days = []
    day = start.date()
    while day <= end.date():
        days.append(day.isoformat())
        day += timedelta(days=1)
    totals: dict[str, float] = {}
    for doc in db["dailytotals"].find({"day": {"$in": days}}, {"userId": 1, "day": 1, "hours": 1}):
        midnight = datetime.fromisoformat(doc["day"]).replace(tzinfo=start.tzinfo)
        for hour, seconds in enumerate(doc.get("hours") or []):
            if seconds and start <= midnight + timedelta(hours=hour) < end:
                totals[doc["userId"]] = totals.get(doc["userId"], 0.0) + seconds
    return totals


def read_growth(db: Database[Any], *, period: str, limit: int, now: datetime) -> list[GrowthEntryPublic]:
    """Who gained most: the last ``days`` against the ``days`` before, two windows of equal length."""
    days = GROWTH_WINDOWS.get(period)
    if days is None:
        raise BadRequest(f"Invalid period. Must be one of: {', '.join(GROWTH_WINDOWS)}")
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    length = timedelta(days=days)
    current = _hourly_seconds(db, end - length, end)
    previous = _hourly_seconds(db, end - 2 * length, end - length)
    users = {doc["userId"]: doc for doc in db["users"].find({"userId": {"$in": list(current)}})}
    rows = []
    for user_id, seconds in current.items():
        user = users.get(user_id)
        if not is_listed(user) or user is None:
            continue
        delta = seconds - previous.get(user_id, 0.0)
        name = user.get("displayName") or user.get("username") or "Anonymous"
        rows.append(
            GrowthEntryPublic(
                userId=user_id,
                name=name,
                avatarUrl=user.get("avatarUrl"),
                deltaHours=round(delta / 3600, 2),
                totalHours=round(seconds / 3600, 2),
            )
        )
    rows.sort(key=lambda row: (-row.deltaHours, row.userId))
    return rows[:limit]
