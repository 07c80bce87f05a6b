"""Crediting sessions: what a batch of new sessions changes in a user's derived data, read in a bounded amount.

The derived data of a user is kept exact while each batch reads only the days it touches:
- a UTC day (``dailytotals``) and a board-local day (the ``day`` boards) are recomputed whole from the
  sessions overlapping them, so replaying a session changes nothing;
- the week and month boards and the user's totals move by the difference between a touched day's new
  credit and the credit stored for it before. Each UTC day keeps its share of the board-local days it
  overlaps (``DayTotal.board_days``), which is what makes that difference known without reading the boards;
- the rolling board is recomputed from the last 24 hours, the streak moves by the local days that now count.
A difference is exact only when nothing else writes the user in between: the service applies a plan under
a claim of the user's next credit version, one writer per user at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tracking.domain import achievements, legacy
from tracking.domain.achievements import Milestone, Progress
from tracking.domain.days import HOUR, day_range, day_start, days_overlapped, local_today
from tracking.domain.intervals import Credit, Span, credit, merge
from tracking.domain.languages import bot_languages
from tracking.domain.periods import (
    ALL_TIME_KEY,
    Timeframe,
    minute_floor,
    period_at,
    rolling_window,
)
from tracking.domain.sessions import MAX_FUTURE
from tracking.domain.streaks import STREAK_WINDOW_DAYS, StreakDays

# Seconds below this are float noise, not a change worth a write.
EPSILON = 1e-6
# A session at least this long is focused work (the replaced server's rule, for the filter stats).
LONG_FOCUS = timedelta(minutes=25)


def board_name(timeframe: Timeframe, language: str | None = None) -> str:
    """``day``, or ``day:python`` for the language board of a timeframe."""
    return f"{timeframe}:{language}" if language else timeframe


@dataclass(frozen=True)
class LocalDay:
    """A UTC day's share of one of the user's local days, and what the sessions that start in it add.

    A session is counted in the share holding its start only, so summing shares never counts it twice.
    ``focused_seconds`` is the credited time of sessions lasting at least ``LONG_FOCUS``, within the share.
    """

    seconds: float
    languages: dict[str, float]
    sessions: int
    focused_seconds: float


@dataclass(frozen=True)
class DayTotal:
    """A user's credited time in one UTC day: in all, per UTC hour, per language, per board-local day and
    per user-local day (``user_days``, split for ``user_zone``)."""

    day: date
    seconds: float
    hours: tuple[float, ...]
    languages: dict[str, float]
    board_zone: str
    board_days: dict[str, Credit]
    user_zone: str
    user_days: dict[str, LocalDay]

    def same_as(self, other: DayTotal | None) -> bool:
        if other is None:
            return self.seconds <= EPSILON
        return (
            self.board_zone == other.board_zone
            and self.user_zone == other.user_zone
            and _close(self.seconds, other.seconds)
            and all(_close(a, b) for a, b in zip(self.hours, other.hours, strict=False))
            and _close_maps(self.languages, other.languages)
            and self.board_days.keys() == other.board_days.keys()
            and all(_same_credit(self.board_days[key], other.board_days[key]) for key in self.board_days)
            and self.user_days.keys() == other.user_days.keys()
            and all(_same_local_day(self.user_days[key], other.user_days[key]) for key in self.user_days)
        )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= EPSILON


def _close_maps(a: Mapping[str, float], b: Mapping[str, float]) -> bool:
    return all(_close(a.get(key, 0.0), b.get(key, 0.0)) for key in a.keys() | b.keys())


def _same_credit(a: Credit, b: Credit) -> bool:
    return _close(a.seconds, b.seconds) and _close_maps(a.languages, b.languages)


def _same_local_day(a: LocalDay, b: LocalDay) -> bool:
    return (
        a.sessions == b.sessions
        and _close(a.focused_seconds, b.focused_seconds)
        and _same_credit(Credit(a.seconds, a.languages), Credit(b.seconds, b.languages))
    )


def day_total(spans: Sequence[Span], day: date, board_zone: ZoneInfo, *, user_zone: ZoneInfo) -> DayTotal:
    """The UTC day ``day`` recomputed from every session overlapping it (the union of their intervals)."""
    start, end = day_range(day)
    in_day = [span for span in spans if span.start < end and span.end > start]
    total = credit(in_day, start, end)
    hours = tuple(credit(in_day, start + hour * HOUR, start + (hour + 1) * HOUR).seconds for hour in range(24))
    parts: dict[str, Credit] = {}
    for local in days_overlapped(start, end, board_zone):
        local_start, local_end = day_range(local, board_zone)
        part = credit(in_day, max(start, local_start), min(end, local_end))
        if part.seconds > 0:
            parts[local.isoformat()] = part
    return DayTotal(
        day,
        total.seconds,
        hours,
        total.languages,
        str(board_zone),
        parts,
        str(user_zone),
        _user_days(in_day, day, user_zone),
    )


def _user_days(in_day: Sequence[Span], day: date, zone: ZoneInfo) -> dict[str, LocalDay]:
    start, end = day_range(day)
    focused = [span for span in in_day if span.end - span.start >= LONG_FOCUS]
    parts: dict[str, LocalDay] = {}
    for local in days_overlapped(start, end, zone):
        local_start, local_end = day_range(local, zone)
        part_start, part_end = max(start, local_start), min(end, local_end)
        part = credit(in_day, part_start, part_end)
        if part.seconds > 0:
            parts[local.isoformat()] = LocalDay(
                seconds=part.seconds,
                languages=part.languages,
                sessions=sum(1 for span in in_day if part_start <= span.start < part_end),
                focused_seconds=credit(focused, part_start, part_end).seconds,
            )
    return parts


@dataclass(frozen=True)
class StoredTotals:
    """What the user document holds of the user's credit (tracking.store.users reads it)."""

    user_id: str
    version: int
    listed: bool
    zone: ZoneInfo
    baseline_seconds: float
    baseline_languages: dict[str, float]
    tracked_seconds: float
    language_totals: dict[str, float]
    longest_streak: int
    streak_days: StreakDays
    last_session: datetime | None


def all_time_credit(*, baseline_seconds: float, baseline_languages: Mapping[str, float], tracked: Credit) -> Credit:
    """All time: the time from before this server plus the tracked time; the users document and the board agree."""
    return Credit(baseline_seconds + tracked.seconds, legacy.add_languages(baseline_languages, tracked.languages))


def bot_language_totals(
    *, baseline_languages: Mapping[str, float], language_totals: Mapping[str, float]
) -> dict[str, float]:
    """The 26-key ``users.languages`` object the bot reads."""
    return legacy.add_languages(bot_languages(language_totals), baseline_languages)


def progress_of(totals: StoredTotals, *, longest_streak: int | None = None) -> Progress:
    return Progress(
        total_seconds=totals.baseline_seconds + totals.tracked_seconds,
        longest_streak=totals.longest_streak if longest_streak is None else longest_streak,
        languages=totals.language_totals,
    )


@dataclass(frozen=True)
class Window:
    """What a batch makes the service read: the sessions overlapping ``ranges`` and the UTC days ``days``."""

    ranges: list[tuple[datetime, datetime]]
    days: list[date]


def credit_window(batch: Iterable[Span], *, board_zone: ZoneInfo, user_zone: ZoneInfo, now: datetime) -> Window:
    """The UTC days, board-local days and user-local days the batch touches, and the last 24 hours."""
    ranges: list[tuple[datetime, datetime]] = []
    days: set[date] = set()
    for span in batch:
        start, end = span.start, span.end
        for zone in (ZoneInfo("UTC"), board_zone, user_zone):
            for local in days_overlapped(start, end, zone):
                local_start, local_end = day_range(local, zone)
                ranges.append((local_start, local_end))
                days.update(days_overlapped(local_start, local_end))
    ranges.append(rolling_range(now))
    return Window(ranges=[(a, b) for a, b in merge(Span(a, b) for a, b in ranges)], days=sorted(days))


@dataclass(frozen=True)
class BoardTotal:
    """An entry to set: ``total`` of ``user`` on ``board`` in period ``key``."""

    board: str
    key: str
    total: float


@dataclass(frozen=True)
class BoardChange:
    """An entry to move by ``delta`` (the week and month boards)."""

    board: str
    key: str
    delta: float


@dataclass(frozen=True)
class RollingTotals:
    """The user's last-24-hours entries, the whole set (others are removed), and when they next change."""

    totals: dict[str, float]
    next_change: datetime | None


@dataclass(frozen=True)
class UserTotals:
    """The derived fields of the users document after a plan."""

    tracked: Credit
    total_seconds: float
    bot_languages: dict[str, float]
    last_session: datetime | None
    streak_days: StreakDays
    current_streak: int
    longest_streak: int
    last_streak_day: date | None
    awarded: list[Milestone]


@dataclass
class CreditPlan:
    """Every write that credits a batch, in the order the service applies them."""

    days: list[DayTotal]
    board_totals: list[BoardTotal] = field(default_factory=list)
    board_changes: list[BoardChange] = field(default_factory=list)
    rolling: RollingTotals | None = None
    user: UserTotals | None = None
    # Seconds the batch adds to the user's entry of each timeframe board, by (timeframe, period key): what a
    # rank change is judged by (tracking.domain.webhooks.rank_move) without reading the entry before.
    gains: dict[tuple[Timeframe, str], float] = field(default_factory=dict)

    @property
    def changes_anything(self) -> bool:
        return bool(self.days)


class NeedsRebuild(Exception):
    """The stored state cannot be moved by differences (another board zone, a day out of the streak window)."""


def _board_day_credit(day_key: str, stored: Mapping[date, DayTotal], board_zone: ZoneInfo) -> Credit:
    local = date.fromisoformat(day_key)
    start, end = day_range(local, board_zone)
    seconds = 0.0
    languages: dict[str, float] = {}
    for utc_day in days_overlapped(start, end):
        total = stored.get(utc_day)
        if total is None:
            continue
        if total.board_zone != str(board_zone):
            raise NeedsRebuild(f"daily total {utc_day} was split for the board zone {total.board_zone}")
        part = total.board_days.get(day_key)
        if part is not None:
            seconds += part.seconds
            languages = legacy.add_languages(languages, part.languages)
    return Credit(seconds, languages)


def _difference(new: Credit, old: Credit) -> Credit:
    return Credit(
        new.seconds - old.seconds,
        {
            key: new.languages.get(key, 0.0) - old.languages.get(key, 0.0)
            for key in new.languages.keys() | old.languages
        },
    )


def _add(a: Credit, b: Credit) -> Credit:
    return Credit(a.seconds + b.seconds, legacy.add_languages(a.languages, b.languages))


def tracked_credit(days: Iterable[DayTotal]) -> Credit:
    """The time this server tracked for a user: the sum of their daily totals (a rebuild reads them all)."""
    total = Credit()
    for day in days:
        total = _add(total, Credit(day.seconds, day.languages))
    return Credit(total.seconds, {lang: s for lang, s in total.languages.items() if s > 0})


def board_entries(timeframe: Timeframe, result: Credit) -> dict[str, float]:
    entries = {board_name(timeframe): result.seconds} if result.seconds > 0 else {}
    entries.update({board_name(timeframe, lang): s for lang, s in result.languages.items() if s > 0})
    return entries


def rolling_next_change(spans: Iterable[Span], now: datetime) -> datetime | None:
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


def rolling_range(now: datetime) -> tuple[datetime, datetime]:
    """Where the sessions that make the rolling total lie: the window, and what may still enter it."""
    start, end = rolling_window(now)
    return start, end + MAX_FUTURE


def rolling_totals(spans: Sequence[Span], now: datetime) -> RollingTotals:
    start, end = rolling_window(now)
    return RollingTotals(board_entries("last24h", credit(spans, start, end)), rolling_next_change(spans, now))


def plan_credit(
    *,
    totals: StoredTotals,
    spans: Sequence[Span],
    stored_days: Mapping[date, DayTotal],
    window: Window,
    batch: Sequence[Span],
    now: datetime,
    board_zone: ZoneInfo,
    streak_min_seconds: float,
) -> CreditPlan:
    """The writes that bring the user's derived data up to date with ``spans`` (which hold the batch).

    ``spans`` are every session overlapping ``window.ranges``; ``stored_days`` the daily totals of
    ``window.days`` as stored. Raises NeedsRebuild when only a rebuild can bring the user up to date.
    """
    # Only the UTC days the batch has time in can change, and only they are read whole (``window.ranges``
    # holds just the part of the others that a touched board- or user-local day covers): the others stay as stored.
    touched = {day for span in batch for day in days_overlapped(span.start, span.end)}
    new_days = {
        day: day_total(spans, day, board_zone, user_zone=totals.zone) if day in touched else stored_days[day]
        for day in window.days
        if day in touched or day in stored_days
    }
    changed = [total for day, total in new_days.items() if not total.same_as(stored_days.get(day))]
    if not changed:
        return CreditPlan(days=[])

    tracked_change = Credit()
    for total in changed:
        before = _credit_of(stored_days.get(total.day))
        tracked_change = _add(tracked_change, _difference(Credit(total.seconds, total.languages), before))

    plan = CreditPlan(days=changed)
    if totals.listed:
        touched_board_days = sorted(
            {key for total in changed for key in total.board_days} | _keys_lost(changed, stored_days)
        )
        period_changes: dict[tuple[Timeframe, str], Credit] = {}
        for day_key in touched_board_days:
            new = _board_day_credit(day_key, new_days, board_zone)
            stored = _board_day_credit(day_key, stored_days, board_zone)
            plan.board_totals += [
                BoardTotal(board, day_key, total) for board, total in board_entries("day", new).items()
            ]
            plan.gains[("day", day_key)] = new.seconds - stored.seconds
            moment = day_start(date.fromisoformat(day_key), board_zone)
            timeframes: tuple[Timeframe, ...] = ("week", "month")
            for timeframe in timeframes:
                key = period_at(timeframe, moment, board_zone).key
                period_changes[(timeframe, key)] = _add(
                    period_changes.get((timeframe, key), Credit()), _difference(new, stored)
                )
        for (timeframe, key), change in period_changes.items():
            plan.gains[(timeframe, key)] = change.seconds
            plan.board_changes += [
                BoardChange(board_name(timeframe, lang), key, delta)
                for lang, delta in [(None, change.seconds), *change.languages.items()]
                if abs(delta) > EPSILON
            ]
        plan.rolling = rolling_totals(spans, now)

    tracked = Credit(
        totals.tracked_seconds + tracked_change.seconds,
        {
            lang: s
            for lang, s in legacy.add_languages(totals.language_totals, tracked_change.languages).items()
            if s > EPSILON
        },
    )
    all_time = all_time_credit(
        baseline_seconds=totals.baseline_seconds, baseline_languages=totals.baseline_languages, tracked=tracked
    )
    if totals.listed:
        plan.board_totals += [
            BoardTotal(board, ALL_TIME_KEY, total) for board, total in board_entries("allTime", all_time).items()
        ]
        plan.gains[("allTime", ALL_TIME_KEY)] = tracked_change.seconds

    streak_days = _streak_days_after(totals, spans=spans, batch=batch, now=now, min_seconds=streak_min_seconds)
    today = local_today(now, totals.zone)
    streak = streak_days.streak(today, longest_before=totals.longest_streak)
    ends = [end for end in (totals.last_session, *(span.end for span in batch)) if end is not None]
    new_progress = Progress(total_seconds=all_time.seconds, longest_streak=streak.longest, languages=tracked.languages)
    plan.user = UserTotals(
        tracked=tracked,
        total_seconds=all_time.seconds,
        bot_languages=bot_language_totals(
            baseline_languages=totals.baseline_languages, language_totals=tracked.languages
        ),
        last_session=max(ends) if ends else None,
        streak_days=streak_days,
        current_streak=streak.current,
        longest_streak=streak.longest,
        last_streak_day=streak.last_day,
        awarded=achievements.crossed(progress_of(totals), new_progress),
    )
    return plan


def _credit_of(total: DayTotal | None) -> Credit:
    return Credit() if total is None else Credit(total.seconds, total.languages)


def _keys_lost(changed: Sequence[DayTotal], stored: Mapping[date, DayTotal]) -> set[str]:
    """Board days a stored UTC day had a share of and the recomputed one has not (its time moved or went)."""
    lost: set[str] = set()
    for total in changed:
        old = stored.get(total.day)
        if old is not None:
            lost |= old.board_days.keys() - total.board_days.keys()
    return lost


def _streak_days_after(
    totals: StoredTotals, *, spans: Sequence[Span], batch: Sequence[Span], now: datetime, min_seconds: float
) -> StreakDays:
    """The streak window with every local day of the batch that now has at least ``min_seconds``."""
    zone = totals.zone
    streak_days = totals.streak_days.moved_to(local_today(now, zone))
    touched = {day for span in batch for day in days_overlapped(span.start, span.end, zone)}
    for local in sorted(touched):
        start, end = day_range(local, zone)
        if credit(spans, start, end).seconds >= min_seconds:
            if (streak_days.anchor - local).days >= STREAK_WINDOW_DAYS:
                raise NeedsRebuild(f"{local} is older than the streak window")
            streak_days = streak_days.with_day(local)
    return streak_days
