"""The ``boards`` collection: one document per board, period key and user, maintained at write time.

A board document holds a user's credited seconds in one period (``{board, key, userId, total}``);
``board`` is the timeframe, or ``<timeframe>:<language>`` for a language board. Totals are
recomputed from the source and ``$set`` (never ``$inc``), so a replayed refresh changes nothing.
Reads walk the index ``{board, key, total: -1, userId}``: a page, a rank and neighbours cost a
bounded number of round trips whatever the number of users.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ASCENDING, DESCENDING, DeleteOne, UpdateOne
from pymongo.database import Database

from tracking.domain import legacy
from tracking.domain.intervals import Credit, Span, credit, merge
from tracking.domain.periods import (
    ALL_TIME_KEY,
    ROLLING_KEY,
    Period,
    Timeframe,
    calendar_periods_between,
    minute_floor,
    period_at,
    rolling_window,
)
from tracking.domain.ranking import is_listed
from tracking.store import sessions
from tracking.store.client import indexes

COLLECTION = "boards"
ORDER = [("total", DESCENDING), ("userId", ASCENDING)]
# What a refresh reads of the user: visibility, and the totals from before this server (legacy.baseline).
USER_FIELDS = dict.fromkeys(
    ("isPublic", "archived", "totalCodingTime", "languages", "baselineCodingTime", "baselineLanguages"), 1
)


@indexes
def create_board_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index(
        [("board", ASCENDING), ("key", ASCENDING), ("total", DESCENDING), ("userId", ASCENDING)],
        name="board_1_key_1_total_-1_userId_1",
    )
    db[COLLECTION].create_index([("userId", ASCENDING), ("key", ASCENDING)], name="userId_1_key_1")
    db[COLLECTION].create_index("nextChangeAt", name="nextChangeAt_1")


def board_name(timeframe: Timeframe, language: str | None = None) -> str:
    return f"{timeframe}:{language}" if language else timeframe


def _document_id(board: str, key: str, user_id: str) -> str:
    # A deterministic _id makes the upsert race-safe and the "my entry" read a point lookup.
    return f"{board}|{key}|{user_id}"


@dataclass(frozen=True)
class BoardEntry:
    user_id: str
    total: float


def _all_time_credit(db: Database[Any], user: dict[str, Any] | None, user_id: str) -> Credit:
    """All time: the time from before this server, plus the daily totals (which outlive the sessions)."""
    seconds, languages = legacy.baseline(user or {})
    for day in db["dailytotals"].find({"userId": user_id}, {"seconds": 1, "languages": 1}):
        seconds += day.get("seconds", 0.0)
        for language, value in (day.get("languages") or {}).items():
            languages[language] = languages.get(language, 0.0) + value
    return Credit(seconds, languages)


def _rolling_next_change(spans: list[Span], now: datetime) -> datetime | None:
    """The next minute at which the rolling total changes without new sessions, None if never."""
    window_start, window_end = rolling_window(now)
    upcoming: list[datetime] = []
    for start, end in merge(spans):
        if end <= window_start:
            continue
        if start < window_end:
            # Credited time leaves the window one minute after its minute passes the window start.
            upcoming.append(minute_floor(max(start, window_start)) + timedelta(hours=24, minutes=1))
        if end > window_end:
            # Time from a session that ends in the future enters the window minute by minute.
            upcoming.append(window_end + timedelta(minutes=1))
    return min(upcoming) if upcoming else None


def _writes_for(
    *,
    user_id: str,
    timeframe: Timeframe,
    key: str,
    result: Credit,
    listed: bool,
    existing: set[str],
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> list[UpdateOne | DeleteOne]:
    wanted: dict[str, float] = {}
    if listed and result.seconds > 0:
        wanted[board_name(timeframe)] = result.seconds
        for language, seconds in result.languages.items():
            if seconds > 0:
                wanted[board_name(timeframe, language)] = seconds
    writes: list[UpdateOne | DeleteOne] = [
        UpdateOne(
            {"_id": _document_id(board, key, user_id)},
            {
                "$set": {
                    "board": board,
                    "key": key,
                    "userId": user_id,
                    "total": total,
                    "updatedAt": now,
                    **(extra or {}),
                }
            },
            upsert=True,
        )
        for board, total in wanted.items()
    ]
    prefix = board_name(timeframe)
    writes += [
        DeleteOne({"_id": _document_id(board, key, user_id)})
        for board in existing
        if (board == prefix or board.startswith(prefix + ":")) and board not in wanted
    ]
    return writes


def refresh_user_boards(
    db: Database[Any], *, user_id: str, touched: Iterable[tuple[datetime, datetime]], now: datetime, zone: ZoneInfo
) -> None:
    """Recompute a user's entries in every period that the intervals ``touched`` fall in.

    All time and the rolling board are always recomputed; day, week and month only for the
    periods touched. An unlisted user (private or archived) has their entries in them removed.
    """
    user = db["users"].find_one(
        {"userId": user_id},
        {
            "isPublic": 1,
            "archived": 1,
            "totalCodingTime": 1,
            "languages": 1,
            "baselineCodingTime": 1,
            "baselineLanguages": 1,
        },
    )
    listed = is_listed(user)
    periods: dict[tuple[str, str], Period] = {}
    for start, end in touched:
        for period in calendar_periods_between(start, end, zone):
            periods[(period.timeframe, period.key)] = period
    rolling = period_at("last24h", now, zone)
    lookup_start = min([p.start for p in periods.values()] + [rolling.start])
    lookup_end = max([p.end for p in periods.values()] + [rolling.end + timedelta(days=1)])
    spans = sessions.find_spans_by_user_between(db, user_id=user_id, start=lookup_start, end=lookup_end)

    keys = [key for _, key in periods] + [ALL_TIME_KEY, ROLLING_KEY]
    existing: dict[str, set[str]] = {}
    for doc in db[COLLECTION].find({"userId": user_id, "key": {"$in": keys}}, {"board": 1, "key": 1}):
        existing.setdefault(doc["key"], set()).add(doc["board"])

    writes: list[UpdateOne | DeleteOne] = []
    for period in periods.values():
        writes += _writes_for(
            user_id=user_id,
            timeframe=period.timeframe,
            key=period.key,
            result=credit(spans, period.start, period.end),
            listed=listed,
            existing=existing.get(period.key, set()),
            now=now,
        )
    writes += _writes_for(
        user_id=user_id,
        timeframe="allTime",
        key=ALL_TIME_KEY,
        result=_all_time_credit(db, user, user_id),
        listed=listed,
        existing=existing.get(ALL_TIME_KEY, set()),
        now=now,
    )
    writes += _rolling_writes(
        user_id=user_id, spans=spans, listed=listed, existing=existing.get(ROLLING_KEY, set()), now=now
    )
    if writes:
        db[COLLECTION].bulk_write(writes, ordered=False)


def _rolling_writes(
    *, user_id: str, spans: list[Span], listed: bool, existing: set[str], now: datetime
) -> list[UpdateOne | DeleteOne]:
    start, end = rolling_window(now)
    return _writes_for(
        user_id=user_id,
        timeframe="last24h",
        key=ROLLING_KEY,
        result=credit(spans, start, end),
        listed=listed,
        existing=existing,
        now=now,
        extra={"nextChangeAt": _rolling_next_change(spans, now)},
    )


def sweep_rolling_board(db: Database[Any], *, now: datetime) -> int:
    """Move time that has left the last-24-hours window out of the totals; returns the users updated.

    Each rolling entry records the minute its total next changes (``nextChangeAt``), so the sweep
    recomputes exactly the users whose total moves, and a late or repeated sweep catches up.
    """
    due = db[COLLECTION].find({"board": "last24h", "key": ROLLING_KEY, "nextChangeAt": {"$lte": now}}, {"userId": 1})
    user_ids = sorted({doc["userId"] for doc in due})
    start, end = rolling_window(now)
    for user_id in user_ids:
        spans = sessions.find_spans_by_user_between(db, user_id=user_id, start=start, end=end + timedelta(days=1))
        existing = {doc["board"] for doc in db[COLLECTION].find({"userId": user_id, "key": ROLLING_KEY}, {"board": 1})}
        user = db["users"].find_one({"userId": user_id}, {"isPublic": 1, "archived": 1})
        writes = _rolling_writes(user_id=user_id, spans=spans, listed=is_listed(user), existing=existing, now=now)
        if writes:
            db[COLLECTION].bulk_write(writes, ordered=False)
    return len(user_ids)


def rebuild_user_boards(db: Database[Any], *, user_id: str, now: datetime, zone: ZoneInfo) -> None:
    """Recompute a user's current periods after a change of visibility (private, public, archived)."""
    month = period_at("month", now, zone)
    week = period_at("week", now, zone)
    refresh_user_boards(db, user_id=user_id, touched=[(min(month.start, week.start), now)], now=now, zone=zone)
    if not is_listed(db["users"].find_one({"userId": user_id}, {"isPublic": 1, "archived": 1})):
        db[COLLECTION].delete_many({"userId": user_id})


def find_page(db: Database[Any], *, board: str, key: str, offset: int, limit: int) -> list[BoardEntry]:
    cursor = db[COLLECTION].find({"board": board, "key": key}, {"userId": 1, "total": 1}).sort(ORDER)
    return [BoardEntry(doc["userId"], doc["total"]) for doc in cursor.skip(offset).limit(limit)]


def find_after(db: Database[Any], *, board: str, key: str, total: float, user_id: str, limit: int) -> list[BoardEntry]:
    """The entries that follow (total, userId) in board order: keyset paging without skip."""
    query = {
        "board": board,
        "key": key,
        "$or": [{"total": {"$lt": total}}, {"total": total, "userId": {"$gt": user_id}}],
    }
    cursor = db[COLLECTION].find(query, {"userId": 1, "total": 1}).sort(ORDER).limit(limit)
    return [BoardEntry(doc["userId"], doc["total"]) for doc in cursor]


def find_before(db: Database[Any], *, board: str, key: str, total: float, user_id: str, limit: int) -> list[BoardEntry]:
    """The ``limit`` entries just above (total, userId), in board order."""
    query = {
        "board": board,
        "key": key,
        "$or": [{"total": {"$gt": total}}, {"total": total, "userId": {"$lt": user_id}}],
    }
    reverse = [("total", ASCENDING), ("userId", DESCENDING)]
    cursor = db[COLLECTION].find(query, {"userId": 1, "total": 1}).sort(reverse).limit(limit)
    return [BoardEntry(doc["userId"], doc["total"]) for doc in cursor][::-1]


def find_entry(db: Database[Any], *, board: str, key: str, user_id: str) -> BoardEntry | None:
    doc = db[COLLECTION].find_one({"_id": _document_id(board, key, user_id)}, {"userId": 1, "total": 1})
    return BoardEntry(doc["userId"], doc["total"]) if doc else None


def count_ahead(db: Database[Any], *, board: str, key: str, total: float, user_id: str) -> int:
    """How many entries come before (total, userId): two counts over contiguous index ranges."""
    higher = db[COLLECTION].count_documents({"board": board, "key": key, "total": {"$gt": total}})
    tied = db[COLLECTION].count_documents({"board": board, "key": key, "total": total, "userId": {"$lt": user_id}})
    return higher + tied


def stream_board(db: Database[Any], *, board: str, key: str, batch_size: int = 5000) -> Iterable[BoardEntry]:
    cursor = db[COLLECTION].find({"board": board, "key": key}, {"userId": 1, "total": 1}).sort(ORDER)
    for doc in cursor.batch_size(batch_size):
        yield BoardEntry(doc["userId"], doc["total"])


# Added for the accounts services (merge into the repository)


def set_totals_by_users(db: Database[Any], *, board: str, key: str, totals: dict[str, float], now: datetime) -> None:
    """Set many users' totals in one board period with one batched write (a bulk seed or rebuild).

    The documents are those refresh_user_boards writes, so a later refresh of any user agrees with them.
    """
    writes = [
        UpdateOne(
            {"_id": _document_id(board, key, user_id)},
            {"$set": {"board": board, "key": key, "userId": user_id, "total": total, "updatedAt": now}},
            upsert=True,
        )
        for user_id, total in totals.items()
    ]
    if writes:
        db[COLLECTION].bulk_write(writes, ordered=False)
