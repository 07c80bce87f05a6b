"""Board periods: keys and UTC ranges of the day, week, month, all-time and rolling boards.

Day, week (ISO, Monday first) and month follow the board time zone, so their UTC ranges move with
DST. All time is one period, ``all``. The rolling board ``last24h`` has one key, ``rolling``; its
window is the 24 hours up to the current minute. Keys are computed here, never in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

Timeframe = Literal["day", "week", "month", "allTime", "last24h"]
TIMEFRAMES: tuple[Timeframe, ...] = get_args(Timeframe)
CALENDAR_TIMEFRAMES: tuple[Timeframe, ...] = ("day", "week", "month")
# The boards a manual snapshot takes (the rolling board is snapshotted hourly by the timer only).
ManualSnapshotTimeframe = Literal["day", "week", "month", "allTime"]
MANUAL_SNAPSHOT_TIMEFRAMES: tuple[ManualSnapshotTimeframe, ...] = get_args(ManualSnapshotTimeframe)

ALL_TIME_KEY = "all"
ROLLING_KEY = "rolling"
ROLLING_WINDOW = timedelta(hours=24)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    timeframe: Timeframe
    key: str
    start: datetime
    end: datetime


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _first_day(timeframe: Timeframe, day: date) -> date:
    if timeframe == "week":
        return day - timedelta(days=day.weekday())
    if timeframe == "month":
        return day.replace(day=1)
    return day


def _next_first_day(timeframe: Timeframe, first: date) -> date:
    if timeframe == "week":
        return first + timedelta(days=7)
    if timeframe == "month":
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first + timedelta(days=1)


def _key(timeframe: Timeframe, first: date) -> str:
    if timeframe == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if timeframe == "month":
        return first.strftime("%Y-%m")
    return first.isoformat()


def minute_floor(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def rolling_window(now: datetime) -> tuple[datetime, datetime]:
    """The last 24 hours, to the minute: ``[minute - 24h, minute)`` for the current minute."""
    end = minute_floor(now)
    return end - ROLLING_WINDOW, end


def period_at(timeframe: Timeframe, instant: datetime, zone: ZoneInfo) -> Period:
    """The period of ``timeframe`` that contains ``instant``."""
    if timeframe == "allTime":
        return Period(timeframe, ALL_TIME_KEY, EPOCH, datetime.max.replace(tzinfo=UTC))
    if timeframe == "last24h":
        start, end = rolling_window(instant)
        return Period(timeframe, ROLLING_KEY, start, end)
    first = _first_day(timeframe, instant.astimezone(zone).date())
    return Period(
        timeframe,
        _key(timeframe, first),
        _local_midnight(first, zone),
        _local_midnight(_next_first_day(timeframe, first), zone),
    )


def previous_period(timeframe: Timeframe, instant: datetime, zone: ZoneInfo) -> Period:
    """The calendar period that ended last before ``instant`` (the one a close snapshot records)."""
    current = period_at(timeframe, instant, zone)
    return period_at(timeframe, current.start - timedelta(microseconds=1), zone)


def calendar_periods_between(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[Period]:
    """Every day, week and month period that ``[start, end)`` touches."""
    for timeframe in CALENDAR_TIMEFRAMES:
        period = period_at(timeframe, start, zone)
        while period.start < end:
            yield period
            period = period_at(timeframe, period.end, zone)


def snapshot_key(timeframe: Timeframe, instant: datetime, zone: ZoneInfo) -> str:
    """Key of a snapshot taken now: the current period, the day for all time, the hour for last 24h."""
    if timeframe == "allTime":
        return period_at("day", instant, zone).key
    if timeframe == "last24h":
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H")
    return period_at(timeframe, instant, zone).key
