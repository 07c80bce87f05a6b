"""Presence: who is coding now, and the in-progress time a board shows before the session arrives. Pure rules.

A heartbeat (``POST /api/heartbeat``) says that a user is coding at an instant. A user's presence is their
current stretch of heartbeats, each at most the TTL (``PRESENCE_TTL_SECONDS``) after the one before:
``since`` is its first heartbeat, ``last_seen`` its latest. A user is coding now while ``now - last_seen``
is at most the TTL.

Credited time comes only from sessions; a heartbeat never credits anything. What a live board adds on top
of a user's credited time is the in-progress stretch

    [max(since, latest credited session end, last_seen - MAX_DURATION), last_seen]

Every credited interval ends at or before the latest credited session end, so the stretch never overlaps
credited time; when the session that covers it arrives, its end moves the start up to ``last_seen`` and
the stretch is empty: the time is counted once, by the session. The stretch ends at the last heartbeat,
not at ``now``: it holds only time a heartbeat saw, and it changes only when a heartbeat or a session
arrives (or the TTL runs out), so a polling client's ETag holds between them. No stretch is longer than
the longest session accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracking.domain.sessions import MAX_DURATION, MAX_FUTURE, OUT_OF_RANGE, plausible_instant, utc_ms
from tracking.errors import BadRequest

Stretch = tuple[datetime, datetime]


class InvalidHeartbeatTime(BadRequest):
    """A heartbeat whose ``at`` cannot be taken: 400 naming the field."""

    def __init__(self, problem: str):
        super().__init__("Invalid heartbeat", errors=[{"field": "at", "message": problem}])


@dataclass(frozen=True)
class Heartbeat:
    """What a heartbeat says besides its user and its time."""

    language: str | None = None
    editor: str | None = None
    project: str | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class Presence:
    """A user's current stretch of heartbeats and what the latest one said."""

    user_id: str
    since: datetime
    last_seen: datetime
    language: str | None = None
    editor: str | None = None
    project: str | None = None
    session_id: str | None = None


def heartbeat_instant(at: datetime | None, *, now: datetime, ttl: timedelta) -> datetime:
    """When a heartbeat happened, in UTC to the millisecond as stored: ``at`` (naive is UTC), default and at most
    ``now``; 400 when it is out of range, too far ahead to be a clock's error, or too old to make anyone live."""
    now = utc_ms(now)
    if at is None:
        return now
    if not plausible_instant(at):
        raise InvalidHeartbeatTime(OUT_OF_RANGE)
    at = utc_ms(at)
    if at > now + MAX_FUTURE:
        raise InvalidHeartbeatTime(f"More than {int(MAX_FUTURE.total_seconds() // 60)} minutes in the future")
    if at < now - ttl:
        raise InvalidHeartbeatTime(f"Older than the presence TTL ({int(ttl.total_seconds())} seconds)")
    return min(at, now)


def is_coding_now(presence: Presence, *, now: datetime, ttl: timedelta) -> bool:
    return now - presence.last_seen <= ttl


def in_progress(
    presence: Presence, *, last_credited_end: datetime | None, now: datetime, ttl: timedelta
) -> Stretch | None:
    """The stretch a board adds to the user's credited time (module docstring); None when there is none."""
    if not is_coding_now(presence, now=now, ttl=ttl):
        return None
    starts = [presence.since, presence.last_seen - MAX_DURATION]
    if last_credited_end is not None:
        starts.append(last_credited_end)
    start = max(starts)
    return (start, presence.last_seen) if start < presence.last_seen else None


def seconds_within(stretch: Stretch | None, start: datetime, end: datetime) -> float:
    """Seconds of ``stretch`` inside ``[start, end)`` (a board's period)."""
    if stretch is None:
        return 0.0
    overlap = (min(stretch[1], end) - max(stretch[0], start)).total_seconds()
    return max(0.0, overlap)


@dataclass(frozen=True)
class ProvisionalEntry:
    user_id: str
    rank: int
    total_seconds: float
    credited_seconds: float
    live: bool


def provisional_ranking(
    credited: Mapping[str, float], in_progress_seconds: Mapping[str, float], *, limit: int
) -> list[ProvisionalEntry]:
    """The top ``limit`` by credited plus in-progress seconds, in board order (total descending, then userId).

    ``credited`` must hold the board's top ``limit`` entries and the credited total of every user in
    ``in_progress_seconds`` (the users coding now, with 0 for a stretch that has not started): then every
    user left out has no more than the last entry, and the top ``limit`` is exact.
    """
    totals = {
        user_id: credited.get(user_id, 0.0) + in_progress_seconds.get(user_id, 0.0)
        for user_id in credited.keys() | in_progress_seconds.keys()
    }
    order = sorted(totals, key=lambda user_id: (-totals[user_id], user_id))[:limit]
    return [
        ProvisionalEntry(
            user_id=user_id,
            rank=rank,
            total_seconds=round(totals[user_id], 3),
            credited_seconds=round(credited.get(user_id, 0.0), 3),
            live=user_id in in_progress_seconds,
        )
        for rank, user_id in enumerate(order, start=1)
    ]
