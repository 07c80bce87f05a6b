"""The ``boards`` collection: one document per board, period key and user, maintained at write time.

A board document holds a user's credited seconds in one period (``{board, key, userId, total}``);
``board`` is the timeframe, or ``<timeframe>:<language>`` for a language board. Day, all-time and
rolling totals are recomputed and ``$set``; week and month totals move by the change of their days,
written only under the user's credit claim (tracking.services.crediting), and a rebuild sets them whole.
Reads walk the index ``{board, key, total: -1, userId}``: a page, a rank and neighbours cost a
bounded number of round trips whatever the number of users.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, DeleteMany, UpdateOne
from pymongo.database import Database

from tracking.domain.credit import BoardChange, BoardTotal, RollingTotals
from tracking.domain.periods import ROLLING_KEY
from tracking.store.client import indexes
from tracking.store.retries import bulk_write_retrying

COLLECTION = "boards"
ORDER = [("total", DESCENDING), ("userId", ASCENDING)]


@indexes
def create_board_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index(
        [("board", ASCENDING), ("key", ASCENDING), ("total", DESCENDING), ("userId", ASCENDING)],
        name="board_1_key_1_total_-1_userId_1",
    )
    db[COLLECTION].create_index([("userId", ASCENDING), ("key", ASCENDING)], name="userId_1_key_1")
    db[COLLECTION].create_index("nextChangeAt", name="nextChangeAt_1")


def _document_id(board: str, key: str, user_id: str) -> str:
    # A deterministic _id makes the upsert race-safe and the "my entry" read a point lookup.
    return f"{board}|{key}|{user_id}"


@dataclass(frozen=True)
class BoardEntry:
    user_id: str
    total: float


def _set(user_id: str, board: str, key: str, total: float, now: datetime, **extra: Any) -> UpdateOne:
    fields = {"board": board, "key": key, "userId": user_id, "total": total, "updatedAt": now, **extra}
    return UpdateOne({"_id": _document_id(board, key, user_id)}, {"$set": fields}, upsert=True)


def _rolling_sets(user_id: str, rolling: RollingTotals, now: datetime) -> list[UpdateOne | DeleteMany]:
    return [
        _set(user_id, board, ROLLING_KEY, total, now, nextChangeAt=rolling.next_change)
        for board, total in rolling.totals.items()
    ]


def _rolling_writes(user_id: str, rolling: RollingTotals, now: datetime) -> list[UpdateOne | DeleteMany]:
    """The rolling entries, and the removal of the ones whose time has left the window."""
    stale = DeleteMany({"userId": user_id, "key": ROLLING_KEY, "board": {"$nin": sorted(rolling.totals)}})
    return [*_rolling_sets(user_id, rolling, now), stale]


def apply_credit_by_user(
    db: Database[Any],
    *,
    user_id: str,
    totals: Sequence[BoardTotal],
    changes: Sequence[BoardChange],
    rolling: RollingTotals | None,
    now: datetime,
) -> None:
    """Set ``totals``, move the week and month entries by ``changes``, replace the rolling entries: one write."""
    writes: list[UpdateOne | DeleteMany] = [_set(user_id, t.board, t.key, t.total, now) for t in totals]
    writes += [
        UpdateOne(
            {"_id": _document_id(change.board, change.key, user_id)},
            {
                "$inc": {"total": change.delta},
                "$set": {"board": change.board, "key": change.key, "userId": user_id, "updatedAt": now},
            },
            upsert=True,
        )
        for change in changes
    ]
    if rolling is not None:
        # No removals here (they would cost a second command): a new session only adds time, and an entry
        # whose time left the window is due for the sweeper (``nextChangeAt``), which removes it.
        writes += _rolling_sets(user_id, rolling, now)
    if writes:
        # Not retried: the $inc of the week and month entries must not be applied twice. Only the claim
        # holder writes these documents, so no upsert races; a failure is repaired by a rebuild.
        db[COLLECTION].bulk_write(writes, ordered=False)


def replace_entries_by_user(
    db: Database[Any],
    *,
    user_id: str,
    keys: Sequence[str],
    totals: Sequence[BoardTotal],
    rolling: RollingTotals | None,
    now: datetime,
) -> None:
    """A rebuild: the user's entries of ``keys`` become exactly ``totals`` (and ``rolling``); the rest of them go."""
    wanted = {_document_id(t.board, t.key, user_id) for t in totals}
    writes: list[UpdateOne | DeleteMany] = [
        DeleteMany({"userId": user_id, "key": {"$in": list(keys)}, "_id": {"$nin": sorted(wanted)}})
    ]
    writes += [_set(user_id, t.board, t.key, t.total, now) for t in totals]
    if rolling is not None:
        writes += _rolling_writes(user_id, rolling, now)
    bulk_write_retrying(db[COLLECTION], writes, ordered=True)


def delete_entries_by_user(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count


def set_totals_by_users(db: Database[Any], *, board: str, key: str, totals: dict[str, float], now: datetime) -> None:
    """Set many users' totals in one board period with one batched write (the leaderboard benchmark's seed)."""
    writes = [_set(user_id, board, key, total, now) for user_id, total in totals.items()]
    if writes:
        bulk_write_retrying(db[COLLECTION], writes)


def find_users_with_rolling_change_due(db: Database[Any], now: datetime) -> list[str]:
    """Users with a last-24-hours entry that changes by ``now`` without a new session (``nextChangeAt``)."""
    due = db[COLLECTION].find({"key": ROLLING_KEY, "nextChangeAt": {"$lte": now}}, {"userId": 1})
    return sorted({doc["userId"] for doc in due})


def set_rolling_by_user(db: Database[Any], *, user_id: str, rolling: RollingTotals, now: datetime) -> None:
    bulk_write_retrying(db[COLLECTION], _rolling_writes(user_id, rolling, now), ordered=True)


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


def find_totals_by_users(db: Database[Any], *, board: str, key: str, user_ids: Sequence[str]) -> dict[str, float]:
    """The totals of these users in one board period (one ``$in`` of point ids), by userId; absent ones left out."""
    if not user_ids:
        return {}
    ids = [_document_id(board, key, user_id) for user_id in user_ids]
    return {
        doc["userId"]: doc["total"] for doc in db[COLLECTION].find({"_id": {"$in": ids}}, {"userId": 1, "total": 1})
    }


def count_ahead(db: Database[Any], *, board: str, key: str, total: float, user_id: str) -> int:
    """How many entries come before (total, userId): two counts over contiguous index ranges."""
    higher = db[COLLECTION].count_documents({"board": board, "key": key, "total": {"$gt": total}})
    tied = db[COLLECTION].count_documents({"board": board, "key": key, "total": total, "userId": {"$lt": user_id}})
    return higher + tied


def stream_board(db: Database[Any], *, board: str, key: str, batch_size: int = 5000) -> Iterable[BoardEntry]:
    cursor = db[COLLECTION].find({"board": board, "key": key}, {"userId": 1, "total": 1}).sort(ORDER)
    for doc in cursor.batch_size(batch_size):
        yield BoardEntry(doc["userId"], doc["total"])
