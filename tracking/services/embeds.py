"""Badges, the profile card and the embed page: what anyone may see of a user, for README files and link previews.

They show the public view only (the visibility rule of tracking.domain.profiles with no caller), whoever
asks, because shared caches keep them: a private user gets the neutral "private" badge and card. The
figures come from the existing reads: the profile's total, the streak as it reads now
(tracking.services.progress), the top languages, and the day and week boards in ``BOARD_TIMEZONE``
(tracking.services.leaderboards). A rendered card is kept in memory per card content (its ``version``),
so a card is drawn, and its avatar fetched, once per change.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking.domain import badges
from tracking.domain.access import ANONYMOUS
from tracking.domain.analytics import top_languages
from tracking.domain.badges import Badge, Metric
from tracking.domain.cards import ProfileCard, render_card, render_private_card
from tracking.domain.periods import Timeframe
from tracking.domain.profiles import User, can_see_profile
from tracking.errors import UserNotFound
from tracking.services import discord, leaderboards, progress
from tracking.store import users

CARD_LANGUAGES = 3
# Rendered cards kept per process (about 30 KB each).
CARD_CACHE_SIZE = 256


def _public_user(db: Database[Any], user_id: str) -> User | None:
    """The user when anyone may see them, None when private; UserNotFound for an unknown one."""
    user = users.find_user_by_id(db, user_id)
    if user is None:
        raise UserNotFound()
    return user if can_see_profile(user, ANONYMOUS) else None


def read_badge(db: Database[Any], *, user_id: str, metric: Metric, now: datetime, zone: ZoneInfo) -> Badge:
    """The badge of one metric; only what that metric needs is read."""
    user = _public_user(db, user_id)
    if user is None:
        return badges.PRIVATE
    if metric == "total":
        return badges.time_badge(metric, user.total_coding_time)
    if metric == "streak":
        return badges.streak_badge(progress.read_streak(db, user_id=user_id, now=now).current)
    timeframe: Timeframe = "day" if metric == "today" else "week"
    standing = leaderboards.read_standing(db, timeframe=timeframe, user_id=user_id, now=now, zone=zone)
    if metric == "rank-week":
        return badges.rank_badge(standing.rank if standing else None)
    return badges.time_badge(metric, standing.total_seconds if standing else 0.0)


def read_card(db: Database[Any], *, user_id: str, now: datetime, zone: ZoneInfo) -> ProfileCard | None:
    """What the card and the embed page show; None for a private user."""
    user = _public_user(db, user_id)
    if user is None:
        return None
    streak = progress.read_streak(db, user_id=user_id, now=now)
    week = leaderboards.read_standing(db, timeframe="week", user_id=user_id, now=now, zone=zone)
    return ProfileCard(
        user_id=user_id,
        name=user.display_name or user.username,
        username=user.username,
        avatar_url=user.avatar_url,
        total_seconds=user.total_coding_time,
        current_streak=streak.current,
        longest_streak=streak.longest,
        top_languages=tuple(top_languages(progress.read_languages(db, user_id), CARD_LANGUAGES)),
        week_rank=week.rank if week else None,
    )


@functools.lru_cache(maxsize=CARD_CACHE_SIZE)
def _card_png(card: ProfileCard | None, cdn_url: str) -> bytes:
    if card is None:
        return render_private_card()
    avatar = discord.fetch_avatar(card.avatar_url, cdn_url=cdn_url) if card.avatar_url else None
    return render_card(card, avatar)


def render_profile_card(db: Database[Any], *, user_id: str, now: datetime, zone: ZoneInfo, cdn_url: str) -> bytes:
    """The card as a 1200x630 PNG; the avatar only from Discord's CDN (``cdn_url``), within a short timeout."""
    return _card_png(read_card(db, user_id=user_id, now=now, zone=zone), cdn_url)
