"""A user's progress: streak, languages and achievements as they read now, and the hourly streak decay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pymongo.database import Database

from tracking.domain import achievements
from tracking.domain.achievements import CATEGORIES, Category, Milestone, Progress
from tracking.domain.days import local_today
from tracking.domain.streaks import decayed, parse_zone
from tracking.errors import UserNotFound
from tracking.store import users
from tracking.store.users import StreakState


@dataclass(frozen=True)
class StreakReading:
    current: int
    longest: int


def _current(state: StreakState, now: datetime) -> int:
    zone = parse_zone(state.timezone)
    return decayed(state.current, _last_streak_day(state, zone), local_today(now, zone))


def _last_streak_day(state: StreakState, zone: Any) -> date | None:
    """The last local day that counted; for a user from before this server, their last session's day."""
    if state.last_streak_day is not None:
        return state.last_streak_day
    return state.last_session.astimezone(zone).date() if state.last_session is not None else None


def read_streak(db: Database[Any], *, user_id: str, now: datetime) -> StreakReading:
    """The user's streak as it reads now; a lapsed streak is also set to 0 in the stored document."""
    state = users.find_streak_state_by_id(db, user_id)
    if state is None:
        raise UserNotFound()
    current = _current(state, now)
    if current != state.current:
        users.zero_streaks_by_ids(db, [user_id])
    return StreakReading(current=current, longest=state.longest)


def decay_streaks(db: Database[Any], *, now: datetime) -> int:
    """Set to 0 every stored streak that has lapsed in its user's time zone; returns how many."""
    lapsed = [state.user_id for state in users.find_running_streaks(db) if _current(state, now) == 0]
    users.zero_streaks_by_ids(db, lapsed)
    return len(lapsed)


def read_languages(db: Database[Any], user_id: str) -> dict[str, float]:
    """Seconds per normalised language (every language, not only the bot's 26)."""
    languages = users.find_language_totals_by_id(db, user_id)
    if languages is None:
        raise UserNotFound()
    return {language: seconds for language, seconds in sorted(languages.items()) if seconds > 0}


@dataclass(frozen=True)
class NextMilestone:
    milestone: Milestone
    current: float
    progress: float


@dataclass(frozen=True)
class AchievementsReading:
    earned: list[users.EarnedAchievement]
    upcoming: dict[Category, NextMilestone | None]


def read_achievements(db: Database[Any], user_id: str) -> AchievementsReading:
    """Earned achievements (``earnedAt`` null for ones the bot awarded) and the next one per category."""
    found = users.find_achievements_by_id(db, user_id)
    if found is None:
        raise UserNotFound()
    progress = Progress(
        total_seconds=found.total_seconds, longest_streak=found.longest_streak, languages=found.language_totals
    )
    held = [item.name for item in found.earned]
    upcoming: dict[Category, NextMilestone | None] = {}
    for category in CATEGORIES:
        milestone = achievements.next_milestone(progress, category, held)
        upcoming[category] = (
            None
            if milestone is None
            else NextMilestone(
                milestone=milestone,
                current=progress.value(milestone),
                progress=round(progress.value(milestone) / milestone.target, 4),
            )
        )
    return AchievementsReading(earned=found.earned, upcoming=upcoming)
