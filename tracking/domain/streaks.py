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


# Days a stored streak state keeps one by one: more than a session can reach back (MAX_SESSION_AGE_DAYS plus a
# day), and few enough that the days fit in one BSON int64.
STREAK_WINDOW_DAYS = 62
_MASK = (1 << STREAK_WINDOW_DAYS) - 1


@dataclass(frozen=True)
class StreakDays:
    """Which of the last STREAK_WINDOW_DAYS local days counted, so a streak moves without reading history.

    Bit ``i`` of ``bits`` is day ``anchor - i``; ``tail`` is the length of the run of counting days that
    ends on ``anchor - STREAK_WINDOW_DAYS``, the day just before the window (0 when that day did not count).
    """

    anchor: date
    bits: int = 0
    tail: int = 0

    @property
    def first_day(self) -> date:
        return self.anchor - timedelta(days=STREAK_WINDOW_DAYS - 1)

    def counts(self, day: date) -> bool:
        offset = (self.anchor - day).days
        return 0 <= offset < STREAK_WINDOW_DAYS and bool(self.bits >> offset & 1)

    def run_ending(self, day: date) -> int:
        """Length of the run of counting days that ends on ``day`` (``day`` at most ``anchor``)."""
        length = 0
        while day >= self.first_day:
            if not self.counts(day):
                return length
            length += 1
            day -= timedelta(days=1)
        return length + self.tail

    def moved_to(self, anchor: date) -> StreakDays:
        """The same days with the window ending on ``anchor`` (never moves back)."""
        shift = (anchor - self.anchor).days
        if shift <= 0:
            return self
        boundary = anchor - timedelta(days=STREAK_WINDOW_DAYS)
        tail = self.run_ending(boundary) if boundary <= self.anchor else 0
        bits = (self.bits << shift) & _MASK if shift < STREAK_WINDOW_DAYS else 0
        return StreakDays(anchor=anchor, bits=bits, tail=tail)

    def with_day(self, day: date) -> StreakDays:
        """Mark ``day`` (inside the window, after moving it) as counting."""
        moved = self.moved_to(day)
        offset = (moved.anchor - day).days
        if offset >= STREAK_WINDOW_DAYS:
            raise ValueError(f"{day} is older than the streak window ending {moved.anchor}")
        return StreakDays(anchor=moved.anchor, bits=moved.bits | 1 << offset, tail=moved.tail)

    def last_day(self) -> date | None:
        if self.bits == 0:
            return None
        return self.anchor - timedelta(days=(self.bits & -self.bits).bit_length() - 1)

    def streak(self, today: date, *, longest_before: int) -> Streak:
        """Current (decayed) and longest streak; ``longest_before`` covers runs older than the window."""
        last = self.last_day()
        longest = longest_before
        day = self.anchor
        while day >= self.first_day:
            longest = max(longest, self.run_ending(day))
            day -= timedelta(days=1)
        current = decayed(self.run_ending(last), last, today) if last is not None else 0
        return Streak(current=current, longest=longest, last_day=last)

    @classmethod
    def from_day_seconds(cls, day_seconds: Mapping[date, float], *, anchor: date, min_seconds: float) -> StreakDays:
        """The window ending on ``anchor`` built from every local day's seconds (a rebuild)."""
        counting = {day for day, seconds in day_seconds.items() if seconds >= min_seconds}
        bits = 0
        for offset in range(STREAK_WINDOW_DAYS):
            if anchor - timedelta(days=offset) in counting:
                bits |= 1 << offset
        tail = 0
        day = anchor - timedelta(days=STREAK_WINDOW_DAYS)
        while day in counting:
            tail += 1
            day -= timedelta(days=1)
        return cls(anchor=anchor, bits=bits, tail=tail)
