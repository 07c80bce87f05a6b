"""WakaTime heartbeats: record them and credit the time they join; what the editor plugins' status bar reads.

``record_heartbeats`` stores the heartbeats that count (the unique ``_id`` drops a replay), reads the user's
stored heartbeats within the timeout of each one (one query; what it reads is bounded by the batch, not the
history), joins each heartbeat with its neighbours into pair sessions (tracking.domain.heartbeats) and hands
those to session ingest, which is idempotent and credits the union; the latest of them refreshes the
user's presence (tracking.services.presence), so editors on WakaTime plugins show as coding now too.
Each request inserts its heartbeats before it reads, so of two concurrent requests with neighbouring
heartbeats the later reader sees both and records their pair. Replayed heartbeats are joined again too: if
the request that stored them failed before crediting, the replay credits them, and otherwise every pair is a
duplicate session that changes nothing.

``import_heartbeats`` takes a WakaTime dump through the same path, oldest first in chunks, without the age
limit (which is for live clients). Imported heartbeats are kept, so that importing the same dump again
counts every heartbeat as a duplicate and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pymongo.database import Database

from tracking.config import Settings
from tracking.domain.days import day_range, local_today
from tracking.domain.heartbeats import NewHeartbeat, joined_sessions, neighbour_ranges
from tracking.domain.intervals import credit
from tracking.domain.presence import Heartbeat
from tracking.domain.streaks import parse_zone
from tracking.errors import UserNotFound
from tracking.services import presence
from tracking.services.ingest import record_sessions
from tracking.store import heartbeats, sessions, users

# ``ignored``: a category that is not coding time (accepted, as WakaTime does, and not stored).
Outcome = Literal["recorded", "duplicate", "ignored"]


# Heartbeats an import stores and joins at a time: one insert, one neighbour read, one ingest batch.
IMPORT_CHUNK = 500


def record_heartbeats(
    db: Database[Any], *, user_id: str, batch: Sequence[NewHeartbeat], now: datetime, settings: Settings
) -> list[Outcome]:
    """Store the user's heartbeats and credit the time they join; the outcome of each, in order."""
    timeout = timedelta(minutes=settings.wakatime_timeout_minutes)
    # No live heartbeat older than the age limit is accepted, so none older than that and the timeout is read again.
    heartbeats.delete_live_heartbeats_before(db, now - timedelta(days=settings.max_session_age_days) - timeout)
    outcomes = _store_and_join(db, user_id=user_id, batch=batch, now=now, settings=settings, imported=False)
    latest = max((heartbeat for heartbeat in batch if heartbeat.counts), key=lambda beat: beat.time, default=None)
    if latest is not None:
        # The editor is coding now: one more write shows it on the live board (its time is credited above).
        presence.refresh_presence(
            db,
            user_id=user_id,
            at=latest.time,
            said=Heartbeat(language=latest.language, editor=latest.editor, project=latest.project),
            now=now,
            ttl=timedelta(seconds=settings.presence_ttl_seconds),
        )
    return outcomes


@dataclass(frozen=True)
class ImportCounts:
    imported: int
    duplicates: int
    ignored: int


def import_heartbeats(
    db: Database[Any], *, user_id: str, batch: Sequence[NewHeartbeat], now: datetime, settings: Settings
) -> ImportCounts:
    """Import a WakaTime dump's heartbeats for an existing user: new ones, ones already held, ignored categories."""
    if users.find_user_by_id(db, user_id) is None:
        raise UserNotFound()
    ordered = sorted(batch, key=lambda heartbeat: heartbeat.time)
    outcomes: list[Outcome] = []
    for start in range(0, len(ordered), IMPORT_CHUNK):
        chunk = ordered[start : start + IMPORT_CHUNK]
        outcomes += _store_and_join(db, user_id=user_id, batch=chunk, now=now, settings=settings, imported=True)
    return ImportCounts(
        imported=outcomes.count("recorded"), duplicates=outcomes.count("duplicate"), ignored=outcomes.count("ignored")
    )


def _store_and_join(
    db: Database[Any],
    *,
    user_id: str,
    batch: Sequence[NewHeartbeat],
    now: datetime,
    settings: Settings,
    imported: bool,
) -> list[Outcome]:
    counted = [heartbeat for heartbeat in batch if heartbeat.counts]
    inserted = iter(heartbeats.insert_heartbeats(db, counted, now=now, imported=imported))
    outcomes: list[Outcome] = [
        ("recorded" if next(inserted) else "duplicate") if heartbeat.counts else "ignored" for heartbeat in batch
    ]
    timeout = timedelta(minutes=settings.wakatime_timeout_minutes)
    times = [heartbeat.time for heartbeat in counted]
    beats = heartbeats.find_beats_by_user_within(db, user_id=user_id, ranges=neighbour_ranges(times, timeout))
    joined = joined_sessions(user_id, beats, around=times, timeout=timeout)
    if joined:
        record_sessions(db, batch=joined, now=now, settings=settings)
    return outcomes


@dataclass(frozen=True)
class DaySummary:
    """Credited time of the user's local day: the status bar's ``today``."""

    day: date
    start: datetime
    end: datetime
    timezone: str
    seconds: float
    languages: dict[str, float]


def read_today(db: Database[Any], *, user_id: str, now: datetime) -> DaySummary:
    """Today's credited time (every client's, as a union) in the user's time zone, with its languages."""
    user = users.find_user_by_id(db, user_id)
    if user is None:
        raise UserNotFound()
    zone = parse_zone(user.timezone)
    day = local_today(now, zone)
    start, end = day_range(day, zone)
    spans = sessions.find_spans_by_user_between(db, user_id=user_id, start=start, end=end)
    today = credit(spans, start, end)
    return DaySummary(
        day=day, start=start, end=end, timezone=zone.key, seconds=today.seconds, languages=today.languages
    )


@dataclass(frozen=True)
class AllTime:
    seconds: float
    since: datetime | None
    timezone: str


def read_all_time(db: Database[Any], *, user_id: str) -> AllTime:
    """The user's all-time total, as the boards show it (including time from before this server)."""
    user = users.find_user_by_id(db, user_id)
    if user is None:
        raise UserNotFound()
    return AllTime(seconds=user.total_coding_time, since=user.created_at, timezone=parse_zone(user.timezone).key)
