"""The ``dailytotals`` collection: one document per user and UTC day, derived from the sessions.

A document holds the day's credited ``seconds``, its 24 UTC ``hours``, its ``languages``, and its share
of each board-local day it overlaps (``boardDays``, split for ``boardZone``: see tracking.domain.credit).
Documents are written whole with ``$set`` and outlive the detailed sessions (retention), so totals,
streaks and history read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, DeleteOne, UpdateOne
from pymongo.database import Database

from tracking.domain.credit import DayTotal
from tracking.domain.days import day_start
from tracking.domain.intervals import Credit
from tracking.store.client import indexes
from tracking.store.retries import bulk_write_retrying

COLLECTION = "dailytotals"


@indexes
def create_dailytotal_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("userId", ASCENDING), ("day", ASCENDING)], unique=True, name="userId_1_day_1")
    db[COLLECTION].create_index("day", name="day_1")


def _from_document(doc: Mapping[str, Any]) -> DayTotal:
    hours = list(doc.get("hours") or [])
    return DayTotal(
        day=date.fromisoformat(doc["day"]),
        seconds=float(doc.get("seconds", 0.0)),
        hours=tuple(float(value) for value in hours + [0.0] * (24 - len(hours))),
        languages={name: float(value) for name, value in (doc.get("languages") or {}).items()},
        board_zone=doc.get("boardZone") or "",
        board_days={
            key: Credit(float(part.get("seconds", 0.0)), dict(part.get("languages") or {}))
            for key, part in (doc.get("boardDays") or {}).items()
        },
    )


def _write(user_id: str, total: DayTotal, now: datetime) -> UpdateOne | DeleteOne:
    key = {"userId": user_id, "day": total.day.isoformat()}
    if total.seconds <= 0:
        return DeleteOne(key)
    fields = {
        "date": day_start(total.day),
        "seconds": total.seconds,
        "hours": list(total.hours),
        "languages": total.languages,
        "boardZone": total.board_zone,
        "boardDays": {day: {"seconds": c.seconds, "languages": c.languages} for day, c in total.board_days.items()},
        "updatedAt": now,
    }
    return UpdateOne(key, {"$set": fields}, upsert=True)


def set_days_by_user(db: Database[Any], *, user_id: str, totals: Iterable[DayTotal], now: datetime) -> None:
    """Store each day whole (a day without credited time is removed): one batched write."""
    writes = [_write(user_id, total, now) for total in totals]
    if writes:
        bulk_write_retrying(db[COLLECTION], writes)


def find_days_by_user(db: Database[Any], *, user_id: str, days: Iterable[date]) -> dict[date, DayTotal]:
    """The stored days among ``days`` (a day without a document has no credited time)."""
    keys = sorted({day.isoformat() for day in days})
    if not keys:
        return {}
    cursor = db[COLLECTION].find({"userId": user_id, "day": {"$in": keys}}, {"_id": 0, "userId": 0})
    return {total.day: total for total in map(_from_document, cursor)}


def find_all_days_by_user(db: Database[Any], user_id: str) -> list[DayTotal]:
    """Every daily total of the user, oldest first (a rebuild reads the whole history)."""
    cursor = db[COLLECTION].find({"userId": user_id}, {"_id": 0, "userId": 0})
    return sorted(map(_from_document, cursor.batch_size(10_000)), key=lambda total: total.day)


# Added for the accounts services (merge into the repository)


def find_hours_by_days(db: Database[Any], days: Iterable[date]) -> list[tuple[str, date, list[float]]]:
    """``(userId, day, seconds per UTC hour)`` of every user on these days (one ``$in`` over the ``day`` index)."""
    keys = [day.isoformat() for day in days]
    cursor = db[COLLECTION].find({"day": {"$in": keys}}, {"userId": 1, "day": 1, "hours": 1})
    return [(doc["userId"], date.fromisoformat(doc["day"]), list(doc.get("hours") or [])) for doc in cursor]


def find_summed_days_by_user(db: Database[Any], *, user_id: str, days: Iterable[date]) -> set[date]:
    """Which of ``days`` have a daily total of the user (the cleanup deletes only sessions whose days are summed)."""
    keys = sorted({day.isoformat() for day in days})
    if not keys:
        return set()
    cursor = db[COLLECTION].find({"userId": user_id, "day": {"$in": keys}}, {"_id": 0, "day": 1})
    return {date.fromisoformat(doc["day"]) for doc in cursor}


# Stats and a user's own data (issue 13)


def find_totals_by_days(db: Database[Any], days: Iterable[date]) -> list[tuple[str, DayTotal]]:
    """``(userId, total)`` of every user on these UTC days (one ``$in`` over the ``day`` index)."""
    keys = sorted({day.isoformat() for day in days})
    if not keys:
        return []
    cursor = db[COLLECTION].find({"day": {"$in": keys}}, {"_id": 0})
    return [(doc["userId"], _from_document(doc)) for doc in cursor.batch_size(10_000)]


def delete_days_by_user(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count
