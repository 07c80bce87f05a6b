"""Stats for the website and the bot: date ranges, local hours and days, series, trends. Pure rules.

Time is always credited time (the union of a user's sessions, as in tracking.domain.intervals): two
windows open over one hour count one hour. Per-user stats use the user's time zone, global ones the board
time zone. Everything is read from the daily totals, never from the sessions: a user's local days from
their ``userDays`` shares (exact in every zone), local hours from the 24 UTC hour slots, which put each
UTC hour under the local hour it starts in: exact for zones whole hours from UTC, an approximation by up
to half an hour for the few that are not (e.g. Asia/Kolkata).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from tracking.domain.credit import DayTotal, LocalDay
from tracking.domain.days import DAY, HOUR, day_start
from tracking.errors import BadRequest

MAX_RANGE_DAYS = 366
DEEP_WORK_SECONDS = 3 * 3600
DEEP_WORK_MAX_SESSIONS = 3
SPIKE_RATIO, SPIKE_MIN_HOURS = 1.8, 1.0
DROP_RATIO, DROP_MIN_AVERAGE_HOURS = 0.3, 1.0
OTHER = "other"
# ?period= of the global languages, as days of each of the two windows.
LANGUAGE_PERIOD_DAYS = {"day": 1, "1d": 1, "week": 7, "7d": 7, "month": 30, "30d": 30}


def hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


# Ranges


def field_error(field: str, message: str) -> BadRequest:
    return BadRequest("Invalid query parameters", errors=[{"field": field, "message": message}])


def date_range(start: date | None, end: date | None, *, today: date, default_days: int) -> tuple[date, date]:
    """``[start, end]``, both days included; by default the ``default_days`` days up to today."""
    last = end or today
    first = start or last - timedelta(days=default_days - 1)
    if first > last:
        raise field_error("startDate", "Must be on or before endDate")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise field_error("endDate", f"The range may span at most {MAX_RANGE_DAYS} days")
    return first, last


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def utc_days_covering(first: date, last: date, zone: ZoneInfo) -> list[date]:
    """The UTC days that hold some of the local days ``first`` to ``last`` of ``zone``."""
    start, end = day_start(first, zone), day_start(last + DAY, zone)
    return days_between(start.date(), (end - timedelta(microseconds=1)).date())


def equal_windows(days: int, today: date) -> tuple[list[date], list[date]]:
    """``(current, previous)``: the ``days`` days up to today and the ``days`` before them, of equal length."""
    current = days_between(today - timedelta(days=days - 1), today)
    return current, [day - timedelta(days=days) for day in current]


# Local hours


def local_hours_of_slots(totals: Iterable[DayTotal], zone: ZoneInfo) -> dict[datetime, float]:
    """Seconds per local hour (keyed by its local start) from the daily totals' UTC hour slots."""
    result: dict[datetime, float] = {}
    for total in totals:
        midnight = day_start(total.day)
        for hour, seconds in enumerate(total.hours):
            if seconds > 0:
                local = (midnight + hour * HOUR).astimezone(zone).replace(minute=0, second=0, microsecond=0)
                result[local] = result.get(local, 0.0) + seconds
    return result


def seconds_by_day(by_hour: Mapping[datetime, float]) -> dict[date, float]:
    result: dict[date, float] = {}
    for hour, seconds in by_hour.items():
        result[hour.date()] = result.get(hour.date(), 0.0) + seconds
    return result


def weekday_matrix(by_hour: Mapping[datetime, float]) -> list[list[float]]:
    """Seconds as ``[7][24]``: rows Sunday to Saturday, columns the local hour."""
    matrix = [[0.0] * 24 for _ in range(7)]
    for hour, seconds in by_hour.items():
        matrix[(hour.weekday() + 1) % 7][hour.hour] += seconds
    return [[round(value, 3) for value in row] for row in matrix]


# A user's filter stats


@dataclass(frozen=True)
class DayPoint:
    day: date
    hours: float
    sessions: int = 0


@dataclass(frozen=True)
class Anomaly:
    day: date
    hours: float
    ratio: float


@dataclass(frozen=True)
class WeekPoint:
    year: int
    week: int
    week_start: date
    hours: float

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class WeekChange:
    week_key: str
    pct_change: float | None


@dataclass(frozen=True)
class FilterStats:
    sessions: int
    total_hours: float
    average_session_minutes: float
    focus_ratio: float
    context_switches_per_day: float
    weekday_hours: list[float]
    weekend_hours: list[float]
    daily: list[DayPoint]
    ma7: list[DayPoint]
    ma30: list[DayPoint]
    spikes: list[Anomaly]
    drops: list[Anomaly]
    deep_work_days: list[date]
    weekly: list[WeekPoint]
    week_over_week: list[WeekChange]


def moving_average(series: Sequence[DayPoint], window: int) -> list[DayPoint]:
    """Each day's mean over it and the ``window - 1`` days before it within the range."""
    result = []
    for index, point in enumerate(series):
        part = series[max(0, index - window + 1) : index + 1]
        result.append(DayPoint(point.day, round(sum(p.hours for p in part) / len(part), 2)))
    return result


def anomalies(series: Sequence[DayPoint], ma7: Sequence[DayPoint]) -> tuple[list[Anomaly], list[Anomaly]]:
    spikes, drops = [], []
    for point, average in zip(series, ma7, strict=True):
        if average.hours <= 0:
            continue
        ratio = round(point.hours / average.hours, 2)
        if point.hours >= SPIKE_MIN_HOURS and point.hours >= SPIKE_RATIO * average.hours:
            spikes.append(Anomaly(point.day, point.hours, ratio))
        elif average.hours >= DROP_MIN_AVERAGE_HOURS and point.hours <= DROP_RATIO * average.hours:
            drops.append(Anomaly(point.day, point.hours, ratio))
    return spikes, drops


def weekly(seconds: Mapping[date, float], days: Sequence[date]) -> tuple[list[WeekPoint], list[WeekChange]]:
    """ISO weeks (Monday first) of the range with their hours within it, and the change from week to week."""
    weeks: dict[tuple[int, int], float] = {}
    for day in days:
        year, week, _ = day.isocalendar()
        weeks[(year, week)] = weeks.get((year, week), 0.0) + seconds.get(day, 0.0)
    points = [WeekPoint(year, week, date.fromisocalendar(year, week, 1), hours(s)) for (year, week), s in weeks.items()]
    changes = [
        WeekChange(now.key, round((now.hours - before.hours) / before.hours * 100, 1) if before.hours else None)
        for before, now in pairwise(points)
    ]
    return points, changes


def user_local_days(totals: Iterable[DayTotal], zone: ZoneInfo) -> dict[date, LocalDay]:
    """Per local day of the user (``zone``), its shares summed over the UTC days that hold it.

    A day split for another zone (stored before the user changed zone and kept as it is, being older than
    the sessions' retention) is split here from its UTC hour slots instead: its time by local hour (see the
    module's note), its languages in proportion, and no session counts, which that day no longer knows.
    """
    result: dict[date, LocalDay] = {}
    for total in totals:
        parts = total.user_days if total.user_zone == str(zone) else _split_by_slots(total, zone)
        for key, part in parts.items():
            day = date.fromisoformat(key)
            before = result.get(day)
            result[day] = part if before is None else _add_local_days(before, part)
    return result


def _split_by_slots(total: DayTotal, zone: ZoneInfo) -> dict[str, LocalDay]:
    per_day = seconds_by_day(local_hours_of_slots([total], zone))
    scale = 1 / total.seconds if total.seconds > 0 else 0.0
    return {
        day.isoformat(): LocalDay(
            seconds=seconds,
            languages={language: value * seconds * scale for language, value in total.languages.items()},
            sessions=0,
            focused_seconds=0.0,
        )
        for day, seconds in per_day.items()
    }


def _add_local_days(a: LocalDay, b: LocalDay) -> LocalDay:
    return LocalDay(
        seconds=a.seconds + b.seconds,
        languages=sum_maps([a.languages, b.languages]),
        sessions=a.sessions + b.sessions,
        focused_seconds=a.focused_seconds + b.focused_seconds,
    )


def filter_stats(
    local_days: Mapping[date, LocalDay], by_hour: Mapping[datetime, float], *, first: date, last: date
) -> FilterStats:
    """A user's stats over their local days ``first`` to ``last``, from their local days and local hours.

    A session counts for the local day it starts in; its time is credited to the days it covers.
    """
    days = days_between(first, last)
    empty = LocalDay(0.0, {}, 0, 0.0)
    in_range = [local_days.get(day, empty) for day in days]
    per_day = {day: part.seconds for day, part in zip(days, in_range, strict=True) if part.seconds > 0}
    started = sum(part.sessions for part in in_range)
    total = sum(per_day.values())
    focused = sum(part.focused_seconds for part in in_range)
    weekday, weekend = [0.0] * 24, [0.0] * 24
    for hour, seconds in by_hour.items():
        if first <= hour.date() <= last:
            (weekend if hour.weekday() >= 5 else weekday)[hour.hour] += seconds
    series = [DayPoint(day, hours(part.seconds), part.sessions) for day, part in zip(days, in_range, strict=True)]
    ma7 = moving_average(series, 7)
    spikes, drops = anomalies(series, ma7)
    weeks, changes = weekly(per_day, days)
    return FilterStats(
        sessions=started,
        total_hours=hours(total),
        average_session_minutes=round(total / started / 60, 1) if started else 0.0,
        focus_ratio=round(focused / total, 4) if total else 0.0,
        context_switches_per_day=round(started / len(days), 2),
        weekday_hours=[hours(value) for value in weekday],
        weekend_hours=[hours(value) for value in weekend],
        daily=series,
        ma7=ma7,
        ma30=moving_average(series, 30),
        spikes=spikes,
        drops=drops,
        deep_work_days=[
            p.day
            for p in series
            if per_day.get(p.day, 0.0) >= DEEP_WORK_SECONDS and p.sessions <= DEEP_WORK_MAX_SESSIONS
        ],
        weekly=weeks,
        week_over_week=changes,
    )


# Languages


def top_languages(totals: Mapping[str, float], limit: int) -> list[str]:
    """The ``limit`` languages with most seconds (ties by name)."""
    ranked = sorted((item for item in totals.items() if item[1] > 0), key=lambda item: (-item[1], item[0]))
    return [language for language, _ in ranked[:limit]]


def fold_into_other(seconds: Mapping[str, float], keep: Sequence[str]) -> dict[str, float]:
    """``keep`` as they are and the rest summed into ``other`` (added to a kept ``other``, never replacing it)."""
    result = {language: seconds.get(language, 0.0) for language in keep if seconds.get(language, 0.0) > 0}
    rest = sum(value for language, value in seconds.items() if language not in keep)
    if rest > 0:
        result[OTHER] = result.get(OTHER, 0.0) + rest
    return result


def sum_maps(maps: Iterable[Mapping[str, float]]) -> dict[str, float]:
    result: dict[str, float] = {}
    for item in maps:
        for key, value in item.items():
            result[key] = result.get(key, 0.0) + value
    return result


def in_hours(seconds: Mapping[str, float]) -> dict[str, float]:
    return {language: hours(value) for language, value in sorted(seconds.items()) if hours(value) > 0}


# Global figures from the daily totals' board-local shares (``boardDays``), exact in the board time zone


def board_day_seconds(totals: Iterable[tuple[str, DayTotal]]) -> dict[date, dict[str, float]]:
    """Per board-local day, credited seconds per user."""
    result: dict[date, dict[str, float]] = {}
    for user_id, total in totals:
        for key, part in total.board_days.items():
            if part.seconds > 0:
                users = result.setdefault(date.fromisoformat(key), {})
                users[user_id] = users.get(user_id, 0.0) + part.seconds
    return result


def board_day_languages(totals: Iterable[tuple[str, DayTotal]], days: Iterable[date]) -> dict[str, float]:
    """Credited seconds per language over these board-local days, every user together."""
    keys = {day.isoformat() for day in days}
    return sum_maps(part.languages for _, total in totals for key, part in total.board_days.items() if key in keys)
