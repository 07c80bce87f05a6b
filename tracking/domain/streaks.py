"""Streaks: consecutive days, in the user's own time zone, with at least STREAK_MIN_SECONDS coded.

A streak that was extended neither today nor yesterday (local days) reads as 0: it decays.
Local days are built from the UTC hourly slots of the daily totals. Where a local midnight falls
inside a UTC hour (zones with a :30 or :45 offset), that hour's seconds are split in proportion to
the minutes on each side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOUR = timedelta(hours=1)


def parse_zone(name: str | None) -> ZoneInfo:
    """The user's IANA zone; a missing or invalid one (the old default "GMT+1") means UTC."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _next_local_midnight(moment: datetime, zone: ZoneInfo) -> datetime:
    local_day = moment.astimezone(zone).date()
    return datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def local_day_seconds(days: Iterable[tuple[date, Sequence[float]]], zone: ZoneInfo) -> dict[date, float]:
    """Seconds per local date, from (UTC day, 24 hourly slots of seconds)."""
    result: dict[date, float] = {}
    for day, hours in days:
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        for hour, seconds in enumerate(hours):
            if seconds <= 0:
                continue
            slot_start = midnight + hour * HOUR
            slot_end = slot_start + HOUR
            local = slot_start.astimezone(zone).date()
            boundary = _next_local_midnight(slot_start, zone)
            if boundary < slot_end:
                before = seconds * ((boundary - slot_start) / HOUR)
                result[local] = result.get(local, 0.0) + before
                following = boundary.astimezone(zone).date()
                result[following] = result.get(following, 0.0) + seconds - before
            else:
                result[local] = result.get(local, 0.0) + seconds
    return result


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    last_day: date | None  # the latest local day that counted


def compute_streak(day_seconds: Mapping[date, float], *, today: date, min_seconds: float) -> Streak:
    """Current (decayed) and longest streak from seconds per local day."""
    active = sorted(day for day, seconds in day_seconds.items() if seconds >= min_seconds)
    longest = run = 0
    previous: date | None = None
    for day in active:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    last_day = active[-1] if active else None
    return Streak(current=decayed(run, last_day, today), longest=longest, last_day=last_day)


def decayed(current: int, last_day: date | None, today: date) -> int:
    """The streak as it reads today: 0 unless its last day was today or yesterday."""
    if last_day is None or last_day < today - timedelta(days=1):
        return 0
    return current


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()
