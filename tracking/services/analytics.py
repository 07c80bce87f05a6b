"""Stats for the website and the bot: global figures in the board time zone, a user's own in theirs.

Global figures read the daily totals of the days they cover (their ``boardDays`` shares are exact in the
board time zone), plus a count or a ``$group`` of the users and, for the live figures, a count and a
``$group`` of today's sessions and a count of who is coding now (tracking.services.presence): what they
read grows with users x days, never with the number of sessions. They list no user, so private users are
counted in them and named nowhere. A user's stats are theirs to see unless their profile is private (404
then, unless the caller acts for them); they read the user's daily totals of the range, never the sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking.domain import analytics
from tracking.domain.access import Caller
from tracking.domain.analytics import FilterStats, days_between, hours, utc_days_covering
from tracking.domain.credit import DayTotal
from tracking.domain.days import DAY, day_start
from tracking.domain.profiles import User, can_see_profile
from tracking.domain.streaks import parse_zone
from tracking.errors import UserNotFound
from tracking.services import presence
from tracking.store import dailytotals, sessions, users

WEEKLY_ACTIVITY_WEEKS = 12


@dataclass(frozen=True)
class WeekActivity:
    year: int
    week: int
    week_start: datetime
    hours: float


@dataclass(frozen=True)
class GlobalStats:
    users: int
    sessions: int
    active_last_7_days: int
    active_last_30_days: int
    weekly: list[WeekActivity]
    linked_users: int


@dataclass(frozen=True)
class LiveStats:
    total_hours: float
    users_online: int
    sessions_today: int
    top_language_today: str | None
    average_session_minutes: float


@dataclass(frozen=True)
class Trends:
    days: list[date]
    hours_tracked: list[float]
    active_users: list[int]
    average_streak: list[float]


@dataclass(frozen=True)
class LanguageGrowth:
    days: int
    current: dict[str, float]
    previous: dict[str, float]


@dataclass(frozen=True)
class UserRange:
    first: date
    last: date
    timezone: str


@dataclass(frozen=True)
class UserFilter:
    range: UserRange
    stats: FilterStats


@dataclass(frozen=True)
class UserLanguages:
    range: UserRange
    top: list[str]
    timeseries: list[tuple[date, dict[str, float]]]
    totals: dict[str, float]


@dataclass(frozen=True)
class UserHeatmap:
    year: int
    timezone: str
    total_hours: float
    days: dict[date, float]


def _board_days(db: Database[Any], first: date, last: date, zone: ZoneInfo) -> list[tuple[str, DayTotal]]:
    return dailytotals.find_totals_by_days(db, utc_days_covering(first, last, zone))


def read_global(db: Database[Any], *, now: datetime, zone: ZoneInfo) -> GlobalStats:
    """Users, sessions, who was active in the last 7 and 30 board-local days, and the last 12 ISO weeks."""
    today = now.astimezone(zone).date()
    first_week = today - timedelta(days=today.weekday(), weeks=WEEKLY_ACTIVITY_WEEKS - 1)
    per_day = analytics.board_day_seconds(_board_days(db, min(first_week, today - timedelta(days=29)), today, zone))

    def active(days: int) -> int:
        return len({user for day, seen in per_day.items() if (today - day).days < days for user in seen})

    weekly = []
    for week in range(WEEKLY_ACTIVITY_WEEKS):
        monday = first_week + timedelta(weeks=week)
        seconds = sum(sum(per_day.get(monday + offset * DAY, {}).values()) for offset in range(7))
        year, number, _ = monday.isocalendar()
        weekly.append(WeekActivity(year, number, day_start(monday, zone), hours(seconds)))
    return GlobalStats(
        users=users.count_unarchived_users(db),
        sessions=sessions.estimate_session_count(db),
        active_last_7_days=active(7),
        active_last_30_days=active(30),
        weekly=weekly,
        linked_users=users.count_extension_linked_users(db),
    )


def read_live(db: Database[Any], *, now: datetime, zone: ZoneInfo, presence_ttl: timedelta) -> LiveStats:
    """All time tracked, who is coding now (a heartbeat within ``presence_ttl``), today's sessions and top language.

    Counted and summed by the server (counts and a ``$group``): what comes back does not grow with the number
    of sessions.
    """
    today = now.astimezone(zone).date()
    count, seconds = sessions.sum_sessions_between(db, start=day_start(today, zone), end=now)
    languages = analytics.board_day_languages(_board_days(db, today, today, zone), [today])
    top = analytics.top_languages(languages, 1)
    return LiveStats(
        total_hours=hours(users.sum_coding_time(db)),
        users_online=presence.count_coding_now(db, now=now, ttl=presence_ttl),
        sessions_today=count,
        top_language_today=top[0] if top else None,
        average_session_minutes=round(seconds / count / 60, 1) if count else 0.0,
    )


def read_trends(db: Database[Any], *, days: int, now: datetime, zone: ZoneInfo) -> Trends:
    """Per board-local day of the last ``days``: hours, active users and their mean current streak."""
    today = now.astimezone(zone).date()
    window = days_between(today - timedelta(days=days - 1), today)
    per_day = analytics.board_day_seconds(_board_days(db, window[0], today, zone))
    streaks = users.find_current_streaks_by_ids(db, sorted({user for seen in per_day.values() for user in seen}))
    average = []
    for day in window:
        active = per_day.get(day, {})
        average.append(round(sum(streaks.get(user, 0) for user in active) / len(active), 2) if active else 0.0)
    return Trends(
        days=window,
        hours_tracked=[hours(sum(per_day.get(day, {}).values())) for day in window],
        active_users=[len(per_day.get(day, {})) for day in window],
        average_streak=average,
    )


def read_hourly_heatmap(db: Database[Any], *, window: int, now: datetime, zone: ZoneInfo) -> list[list[float]]:
    """Seconds per weekday (Sunday first) and board-local hour over the last ``window`` board-local days."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=window - 1)
    by_hour = analytics.local_hours_of_slots((total for _, total in _board_days(db, first, today, zone)), zone)
    return analytics.weekday_matrix({hour: s for hour, s in by_hour.items() if first <= hour.date() <= today})


def read_language_growth(
    db: Database[Any], *, days: int, limit: int | None, compare: bool, now: datetime, zone: ZoneInfo
) -> LanguageGrowth:
    """Hours per language over the last ``days`` board-local days and the ``days`` before them."""
    today = now.astimezone(zone).date()
    current_days, previous_days = analytics.equal_windows(days, today)
    totals = _board_days(db, previous_days[0] if compare else current_days[0], today, zone)
    current = analytics.board_day_languages(totals, current_days)
    previous = analytics.board_day_languages(totals, previous_days) if compare else {}
    if limit is not None:
        keep = analytics.top_languages(current, limit)
        current, previous = analytics.fold_into_other(current, keep), analytics.fold_into_other(previous, keep)
    return LanguageGrowth(days=days, current=analytics.in_hours(current), previous=analytics.in_hours(previous))


def _visible_user(db: Database[Any], user_id: str, caller: Caller) -> User:
    """The user, if the caller may see their stats: a private user's are theirs and services' only."""
    user = users.find_user_by_id(db, user_id)
    if user is None or not can_see_profile(user, caller):
        raise UserNotFound()
    return user


def _user_days(
    db: Database[Any],
    *,
    user_id: str,
    caller: Caller,
    start: date | None,
    end: date | None,
    default_days: int,
    now: datetime,
) -> tuple[UserRange, ZoneInfo, list[DayTotal]]:
    """The range in the user's zone and the daily totals that hold it (one read, never the sessions)."""
    user = _visible_user(db, user_id, caller)
    zone = parse_zone(user.timezone)
    first, last = analytics.date_range(start, end, today=now.astimezone(zone).date(), default_days=default_days)
    stored = dailytotals.find_days_by_user(db, user_id=user_id, days=utc_days_covering(first, last, zone))
    return UserRange(first, last, str(zone)), zone, list(stored.values())


def read_user_filter(
    db: Database[Any], *, user_id: str, caller: Caller, start: date | None, end: date | None, now: datetime
) -> UserFilter:
    """The user's stats over their local days ``start`` to ``end`` (default: the last 30)."""
    user_range, zone, totals = _user_days(
        db, user_id=user_id, caller=caller, start=start, end=end, default_days=30, now=now
    )
    stats = analytics.filter_stats(
        analytics.user_local_days(totals, zone),
        analytics.local_hours_of_slots(totals, zone),
        first=user_range.first,
        last=user_range.last,
    )
    return UserFilter(user_range, stats)


def read_user_languages(
    db: Database[Any], *, user_id: str, caller: Caller, start: date | None, end: date | None, top_n: int, now: datetime
) -> UserLanguages:
    """The user's hours per language over their local days ``start`` to ``end`` (default: the last 90)."""
    user_range, zone, totals = _user_days(
        db, user_id=user_id, caller=caller, start=start, end=end, default_days=90, now=now
    )
    days = days_between(user_range.first, user_range.last)
    local_days = analytics.user_local_days(totals, zone)
    per_day = {day: local_days[day].languages if day in local_days else {} for day in days}
    totals_by_language = analytics.sum_maps(per_day.values())
    top = analytics.top_languages(totals_by_language, top_n)
    timeseries = [(day, analytics.in_hours(analytics.fold_into_other(per_day[day], top))) for day in days]
    return UserLanguages(user_range, top, timeseries, analytics.in_hours(totals_by_language))


def read_user_heatmap(
    db: Database[Any], *, user_id: str, caller: Caller, year: int | None, now: datetime
) -> UserHeatmap:
    """Seconds per local day of the user's ``year`` (default: the current one), from the daily totals."""
    user = _visible_user(db, user_id, caller)
    zone = parse_zone(user.timezone)
    year = year or now.astimezone(zone).year
    first, last = date(year, 1, 1), date(year, 12, 31)
    stored = dailytotals.find_days_by_user(db, user_id=user_id, days=utc_days_covering(first, last, zone))
    per_day = analytics.seconds_by_day(analytics.local_hours_of_slots(stored.values(), zone))
    days = {day: round(seconds, 3) for day, seconds in sorted(per_day.items()) if first <= day <= last}
    return UserHeatmap(year, str(zone), hours(sum(days.values())), days)
