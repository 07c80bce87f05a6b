"""The derived fields of the ``users`` document, recomputed from the daily totals and ``$set``.

``totalCodingTime``, ``languages`` (the bot's 26 keys), ``lastSessionDate`` (the latest session
end, never moved backwards), ``currentStreak``, ``longestStreak`` and ``lastStreakDay`` (the last
local day that counted, so a streak can decay without reading the totals) are recomputed whole,
so a replay or a repair gives the same document. New achievements are appended in the bot's shape.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking import config
from tracking.domain import achievements, legacy
from tracking.domain.achievements import CATEGORIES, Progress
from tracking.domain.languages import bot_languages
from tracking.domain.streaks import compute_streak, decayed, local_day_seconds, local_today, parse_zone
from tracking.models import AchievementPublic, AchievementsPublic, NextMilestonePublic, StreakPublic
from tracking.store import dailytotals, sessions
from tracking.store.users import find_user_by_id

USERS = "users"


def _language_totals(days: list[dailytotals.DailyTotal]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for day in days:
        for language, seconds in day.languages.items():
            totals[language] = totals.get(language, 0.0) + seconds
    return totals


def _held_names(user: dict[str, Any]) -> list[str]:
    return [item.get("name", "") for item in user.get("achievements") or [] if isinstance(item, dict)]


def refresh_user_stats(db: Database[Any], *, user: dict[str, Any], now: datetime) -> None:
    """Recompute and ``$set`` the derived fields of ``user`` (a document just read), award achievements."""
    user_id = user["userId"]
    days = dailytotals.find_days_by_user(db, user_id)
    baseline_seconds, baseline_languages = legacy.baseline(user)
    total = baseline_seconds + sum(day.seconds for day in days)
    languages = _language_totals(days)
    zone = parse_zone(user.get("timezone"))
    streak = compute_streak(
        local_day_seconds(((day.day, day.hours) for day in days), zone),
        today=local_today(now, zone),
        min_seconds=config.settings().streak_min_seconds,
    )
    # Both only grow: a streak or a session date from before the sessions we hold is kept.
    longest = max(streak.longest, int(user.get("longestStreak") or 0))
    ends = [end for end in (user.get("lastSessionDate"), sessions.find_latest_end_by_user(db, user_id)) if end]
    fields: dict[str, Any] = {
        "baselineCodingTime": baseline_seconds,
        "baselineLanguages": baseline_languages,
        "totalCodingTime": total,
        "languages": legacy.add_languages(bot_languages(languages), baseline_languages),
        "lastSessionDate": max(ends) if ends else None,
        "currentStreak": streak.current,
        "longestStreak": longest,
        "lastStreakDay": streak.last_day.isoformat() if streak.last_day else None,
        "updatedAt": now,
    }
    update: dict[str, Any] = {"$set": fields}
    progress = Progress(total_seconds=total, longest_streak=longest, languages=languages)
    awarded = achievements.newly_reached(progress, _held_names(user))
    if awarded:
        update["$push"] = {"achievements": {"$each": [{**item.stored(), "earnedAt": now} for item in awarded]}}
    db[USERS].update_one({"userId": user_id}, update)


def find_language_seconds_by_user(db: Database[Any], user_id: str) -> dict[str, float] | None:
    """Seconds per normalised language (every language, not only the bot's 26), None for an unknown user."""
    if find_user_by_id(db, user_id) is None:
        return None
    totals = _language_totals(dailytotals.find_days_by_user(db, user_id))
    return {language: seconds for language, seconds in sorted(totals.items()) if seconds > 0}


def _last_streak_day(user: dict[str, Any], zone: ZoneInfo) -> date | None:
    """The last local day that counted; for a user from before this server, their last session's day."""
    if user.get("lastStreakDay"):
        return date.fromisoformat(user["lastStreakDay"])
    last_session = user.get("lastSessionDate")
    return last_session.astimezone(zone).date() if isinstance(last_session, datetime) else None


def read_streak_by_user(db: Database[Any], *, user_id: str, now: datetime) -> StreakPublic | None:
    """The user's streak as it reads now; a lapsed streak is also set to 0 in the stored document."""
    user = find_user_by_id(db, user_id)
    if user is None:
        return None
    current = int(user.get("currentStreak") or 0)
    zone = parse_zone(user.get("timezone"))
    now_current = decayed(current, _last_streak_day(user, zone), local_today(now, zone))
    if now_current != current:
        db[USERS].update_one({"userId": user_id, "currentStreak": current}, {"$set": {"currentStreak": now_current}})
    return StreakPublic(currentStreak=now_current, longestStreak=int(user.get("longestStreak") or 0))


def decay_streaks(db: Database[Any], *, now: datetime) -> int:
    """Set to 0 every stored streak that has lapsed in its user's time zone; returns how many."""
    cursor = db[USERS].find(
        {"currentStreak": {"$gt": 0}},
        {"userId": 1, "currentStreak": 1, "lastStreakDay": 1, "lastSessionDate": 1, "timezone": 1},
    )
    lapsed = []
    for user in cursor:
        zone = parse_zone(user.get("timezone"))
        if decayed(user["currentStreak"], _last_streak_day(user, zone), local_today(now, zone)) == 0:
            lapsed.append(user["userId"])
    if lapsed:
        db[USERS].update_many({"userId": {"$in": lapsed}, "currentStreak": {"$gt": 0}}, {"$set": {"currentStreak": 0}})
    return len(lapsed)


def find_achievements_by_user(db: Database[Any], user_id: str) -> AchievementsPublic | None:
    """Earned achievements (``earnedAt`` null for ones the bot awarded) and the next one per category."""
    user = find_user_by_id(db, user_id)
    if user is None:
        return None
    earned = [
        AchievementPublic(
            name=item.get("name", ""),
            description=item.get("description", ""),
            category=item.get("category", ""),
            target=item.get("target", 0),
            earnedAt=item.get("earnedAt"),
        )
        for item in user.get("achievements") or []
        if isinstance(item, dict)
    ]
    progress = Progress(
        total_seconds=float(user.get("totalCodingTime") or 0),
        longest_streak=int(user.get("longestStreak") or 0),
        languages=_language_totals(dailytotals.find_days_by_user(db, user_id)),
    )
    held = _held_names(user)
    upcoming: dict[str, NextMilestonePublic | None] = {}
    for category in CATEGORIES:
        milestone = achievements.next_milestone(progress, category, held)
        upcoming[category] = (
            None
            if milestone is None
            else NextMilestonePublic(
                name=milestone.name,
                description=milestone.description,
                category=milestone.category,
                target=milestone.target,
                language=milestone.language,
                current=progress.value(milestone),
                progress=round(progress.value(milestone) / milestone.target, 4),
            )
        )
    return AchievementsPublic(userId=user_id, earned=earned, next=upcoming)
