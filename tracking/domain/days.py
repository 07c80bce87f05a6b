"""Days as UTC ranges: UTC days, and local days of a time zone (which move with DST).

A day ``d`` of a zone is ``[local midnight of d, local midnight of d + 1)`` in UTC; an interval
``[start, end)`` overlaps a day when it has time in it, so a session that ends at midnight adds no day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
UTC_ZONE = ZoneInfo("UTC")


def day_start(day: date, zone: ZoneInfo = UTC_ZONE) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_range(day: date, zone: ZoneInfo = UTC_ZONE) -> tuple[datetime, datetime]:
    return day_start(day, zone), day_start(day + DAY, zone)


def days_overlapped(start: datetime, end: datetime, zone: ZoneInfo = UTC_ZONE) -> list[date]:
    """The days of ``zone`` in which ``[start, end)`` has time, oldest first."""
    days = []
    day = start.astimezone(zone).date()
    while day_start(day, zone) < end:
        if day_start(day + DAY, zone) > start:
            days.append(day)
        day += DAY
    return days


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()
