"""The ``dailytotals`` collection: one document per user and UTC day, derived from the sessions.

A day is recomputed from every session overlapping it (the union of their intervals, see
tracking.domain.intervals) and written with ``$set``, so replaying a recompute changes nothing
and two overlapping sessions credit their union. Totals, languages and streaks read these
documents, which outlive the detailed sessions (retention).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pymongo import ASCENDING, DeleteOne, UpdateOne
from pymongo.database import Database

from tracking.domain.intervals import Span, credit
from tracking.store import sessions
from tracking.store.client import indexes

COLLECTION = "dailytotals"
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@indexes
def create_dailytotal_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("userId", ASCENDING), ("day", ASCENDING)], unique=True, name="userId_1_day_1")
    db[COLLECTION].create_index("day", name="day_1")


@dataclass(frozen=True)
class DailyTotal:
    day: date
    seconds: float
    hours: list[float]
    languages: dict[str, float]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def days_overlapped(start: datetime, end: datetime) -> list[date]:
    """The UTC days that ``[start, end)`` has time in (a session ending at midnight adds no day)."""
    days = []
    day = start.astimezone(UTC).date()
    while midnight(day) < end:
        days.append(day)
        day += DAY
    return days


def _writes_for_day(user_id: str, day: date, spans: list[Span], now: datetime) -> UpdateOne | DeleteOne:
    start, end = midnight(day), midnight(day) + DAY
    in_day = [span for span in spans if span.start < end and span.end > start]
    total = credit(in_day, start, end)
    key = {"userId": user_id, "day": day.isoformat()}
    if total.seconds <= 0:
        return DeleteOne(key)
    hours = [credit(in_day, start + hour * HOUR, start + (hour + 1) * HOUR).seconds for hour in range(24)]
    fields = {"date": start, "seconds": total.seconds, "hours": hours, "languages": total.languages, "updatedAt": now}
    return UpdateOne(key, {"$set": fields}, upsert=True)


def recompute_days_by_user(db: Database[Any], *, user_id: str, days: Iterable[date], now: datetime) -> None:
    """Recompute the user's totals of ``days`` from their sessions: one read, one batched write."""
    wanted = sorted(set(days))
    if not wanted:
        return
    spans = sessions.find_spans_by_user_between(
        db, user_id=user_id, start=midnight(wanted[0]), end=midnight(wanted[-1]) + DAY
    )
    writes = [_writes_for_day(user_id, day, spans, now) for day in wanted]
    db[COLLECTION].bulk_write(writes, ordered=False)


def find_days_by_user(db: Database[Any], user_id: str) -> list[DailyTotal]:
    """Every daily total of the user, oldest first."""
    cursor = db[COLLECTION].find({"userId": user_id}, {"day": 1, "seconds": 1, "hours": 1, "languages": 1})
    totals = [
        DailyTotal(
            day=date.fromisoformat(doc["day"]),
            seconds=doc.get("seconds", 0.0),
            hours=list(doc.get("hours") or []),
            languages=dict(doc.get("languages") or {}),
        )
        for doc in cursor.batch_size(10_000)
    ]
    return sorted(totals, key=lambda total: total.day)


def find_day_keys_by_user_from(db: Database[Any], *, user_id: str, first: date) -> list[date]:
    """The days from ``first`` on that have a daily total."""
    cursor = db[COLLECTION].find({"userId": user_id, "day": {"$gte": first.isoformat()}}, {"day": 1})
    return [date.fromisoformat(doc["day"]) for doc in cursor]


# Added for the accounts services (merge into the repository)


@dataclass(frozen=True)
class DayHours:
    """One user's credited seconds per UTC hour of one day."""

    user_id: str
    day: date
    hours: list[float]


def find_hours_by_days(db: Database[Any], days: Iterable[date]) -> list[DayHours]:
    """Every user's hour slots on these UTC days (one ``$in`` over the ``day`` index)."""
    keys = [day.isoformat() for day in days]
    cursor = db[COLLECTION].find({"day": {"$in": keys}}, {"userId": 1, "day": 1, "hours": 1})
    return [DayHours(doc["userId"], date.fromisoformat(doc["day"]), list(doc.get("hours") or [])) for doc in cursor]
