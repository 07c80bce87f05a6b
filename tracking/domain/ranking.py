"""Who is on a board, in what order, under what name, and how rank and growth are measured: pure rules.

Rank order is total descending, then userId ascending (the boards' index order); ``rank`` is the
1-based position in it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tracking.domain.profiles import DEFAULT_USERNAME, User

# ?period= of the growth board, and the days of each of its two windows.
GROWTH_WINDOW_DAYS = {"day": 1, "1d": 1, "week": 7, "7d": 7, "month": 30, "30d": 30}


@dataclass(frozen=True)
class Listing:
    """What a board shows of a user beside their entry, and what decides whether they are listed."""

    user_id: str
    username: str
    display_name: str | None
    avatar_url: str | None
    is_public: bool
    archived: bool
    # The end of the user's latest credited session (where a live board's in-progress time starts).
    last_session_date: datetime | None = None


def is_listed(user: Listing | User | None) -> bool:
    """Private (``isPublic: false``) and archived users are left off boards and search."""
    return user is not None and user.is_public is not False and not user.archived


def rank_delta(rank: int, previous_rank: int | None) -> int:
    """Positive when the user moved up since the previous snapshot; 0 when they were not in it."""
    return 0 if previous_rank is None else previous_rank - rank


def board_names(user: Listing | None) -> tuple[str, str]:
    """``(username, display name)`` shown on a board: a missing name is Anonymous, a missing display name the name."""
    username = (user.username if user else None) or DEFAULT_USERNAME
    return username, (user.display_name if user else None) or username


def encode_cursor(total: float, user_id: str) -> str:
    """An opaque cursor for the board position just after (total, userId)."""
    return base64.urlsafe_b64encode(json.dumps([total, user_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[float, str] | None:
    """The (total, userId) of a cursor from encode_cursor; None for anything else."""
    try:
        total, user_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(total, int | float) or not isinstance(user_id, str):
        return None
    return float(total), user_id


def growth_windows(days: int, now: datetime) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """``(current, previous)``: the last ``days`` up to the end of the current UTC hour, and the ``days`` before."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    length = timedelta(days=days)
    return (end - length, end), (end - 2 * length, end - length)


def days_spanned(start: datetime, end: datetime) -> list[date]:
    """The calendar days (of ``start``'s zone) from the day of ``start`` to the day of ``end``, both included."""
    return [start.date() + timedelta(days=offset) for offset in range((end.date() - start.date()).days + 1)]


def seconds_in_hours(
    slots: Iterable[tuple[str, date, list[float]]], start: datetime, end: datetime
) -> dict[str, float]:
    """Seconds per user in whole hours ``[start, end)`` from ``(userId, day, seconds per hour)`` slots."""
    totals: dict[str, float] = {}
    for user_id, day, hours in slots:
        midnight = datetime.combine(day, time(0), tzinfo=start.tzinfo)
        for hour, seconds in enumerate(hours):
            if seconds and start <= midnight + timedelta(hours=hour) < end:
                totals[user_id] = totals.get(user_id, 0.0) + seconds
    return totals
