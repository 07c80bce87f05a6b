"""Recording sessions and everything derived from them, and the repair that rebuilds a user.

Per user, a batch costs a bounded number of round trips whatever the history: create the user if
absent, insert each session (a duplicate is refused by the unique index and changes nothing),
recompute the UTC days the new sessions touch, recompute the user's derived fields from the daily
totals, and refresh the leaderboards for the new intervals. Nothing is incremented: a retry after a
failure anywhere in between recomputes the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.config import Settings
from tracking.domain.sessions import NewSession
from tracking.store import boards, dailytotals, sessions, user_stats
from tracking.store.users import ensure_user, find_user_by_id, unarchive_by_id


def record_sessions(db: Database[Any], *, batch: Sequence[NewSession], now: datetime, settings: Settings) -> list[bool]:
    """Store valid sessions and refresh their users; per session, True if new, False if a duplicate."""
    by_user: dict[str, list[int]] = {}
    for index, session in enumerate(batch):
        by_user.setdefault(session.user_id, []).append(index)
    recorded = [False] * len(batch)
    for user_id, indexes in by_user.items():
        names = [batch[index].username for index in indexes if batch[index].username]
        ensure_user(db, user_id=user_id, username=names[-1] if names else None, now=now)
        user = find_user_by_id(db, user_id)
        if user is None:  # deleted between the two calls: nothing to credit
            continue
        for index in indexes:
            recorded[index] = sessions.insert_session(db, batch[index], username=user.get("username"), now=now)
        touched = [(batch[index].start, batch[index].end) for index in indexes if recorded[index]]
        if touched:
            if user.get("archived"):
                unarchive_by_id(db, user_id, now=now)
            _refresh_user(db, user=user, touched=touched, now=now, settings=settings)
    return recorded


def _refresh_user(
    db: Database[Any],
    *,
    user: dict[str, Any],
    touched: list[tuple[datetime, datetime]],
    now: datetime,
    settings: Settings,
) -> None:
    days = {day for start, end in touched for day in dailytotals.days_overlapped(start, end)}
    dailytotals.recompute_days_by_user(db, user_id=user["userId"], days=days, now=now)
    user_stats.refresh_user_stats(db, user=user, now=now)
    boards.refresh_user_boards(db, user_id=user["userId"], touched=touched, now=now, zone=settings.board_timezone)


def rebuild_user(db: Database[Any], *, user_id: str, now: datetime, settings: Settings) -> bool:
    """Rebuild a user's daily totals, derived fields and boards from their sessions; False if no such user.

    Days older than the session retention period may have lost their detailed sessions to the
    cleanup, so their daily totals are the record and are kept as they are.
    """
    user = find_user_by_id(db, user_id)
    if user is None:
        return False
    first_complete = (now - timedelta(days=settings.retention_session_days)).date() + timedelta(days=1)
    spans = sessions.find_spans_by_user(db, user_id)
    days = {day for span in spans for day in dailytotals.days_overlapped(span.start, span.end)}
    # A stored day that no session touches any more is recomputed too, which removes it.
    days |= set(dailytotals.find_day_keys_by_user_from(db, user_id=user_id, first=first_complete))
    dailytotals.recompute_days_by_user(
        db, user_id=user_id, days={day for day in days if day >= first_complete}, now=now
    )
    user_stats.refresh_user_stats(db, user=user, now=now)
    touched = [(span.start, span.end) for span in spans if span.end.date() >= first_complete]
    boards.refresh_user_boards(db, user_id=user_id, touched=touched, now=now, zone=settings.board_timezone)
    return True


def relist_user(db: Database[Any], *, user_id: str, now: datetime, settings: Settings) -> None:
    """Bring a user's board entries in line with their visibility (private, public, archived) and the board zone."""
    boards.rebuild_user_boards(db, user_id=user_id, now=now, zone=settings.board_timezone)
