"""Live presence: record a heartbeat, who is coding now, and a board with the time of those coding now.

``record_heartbeat`` is one write of the user's presence, which also refuses a heartbeat sooner than
``min_gap`` (HEARTBEAT_MIN_GAP_SECONDS) after the last: no read beyond the key's. The live reads never read
sessions: the presences seen within the TTL (an index walk of the few coding now), their names, visibility
and latest credited session end (one ``$in``), their credited totals of the period (one ``$in``), and for a
board also its top page, and the names and previous ranks of those shown
(tracking.services.leaderboards.ranked_entries): what they read grows with the number coding now, never with
the number of users or sessions.
In-progress time follows tracking.domain.presence, so it is never counted twice. Only public, unarchived
users are shown (tracking.domain.ranking.is_listed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking.domain import presence as rules
from tracking.domain import ranking
from tracking.domain.credit import board_name
from tracking.domain.languages import normalise_language
from tracking.domain.periods import Period, Timeframe, period_at
from tracking.domain.presence import Heartbeat, Presence
from tracking.domain.ranking import Listing
from tracking.errors import BadRequest, TooManyRequests
from tracking.services.leaderboards import RankedEntry, ranked_entries
from tracking.store import boards, presence, users
from tracking.store.boards import BoardEntry


@dataclass(frozen=True)
class RecordedHeartbeat:
    user_id: str
    at: datetime
    live_until: datetime


@dataclass(frozen=True)
class CodingNow:
    user_id: str
    username: str
    display_name: str
    language: str | None
    editor: str | None
    since: datetime
    last_seen: datetime
    # Credited time of the board day plus the in-progress stretch inside it.
    today_seconds: float


@dataclass(frozen=True)
class CodingNowList:
    count: int
    users: list[CodingNow]


@dataclass(frozen=True)
class LiveEntry:
    """A board entry by provisional total (``ranked.total_seconds``), and what of it is credited."""

    ranked: RankedEntry
    credited_seconds: float
    live: bool
    language: str | None


@dataclass(frozen=True)
class LiveBoard:
    timeframe: Timeframe
    period_key: str
    start: datetime | None
    end: datetime | None
    timezone: str
    generated_at: datetime
    entries: list[LiveEntry]


def _write(
    db: Database[Any],
    *,
    user_id: str,
    heartbeat: Heartbeat,
    at: datetime,
    now: datetime,
    ttl: timedelta,
    min_gap: timedelta,
) -> bool:
    return presence.record_heartbeat_by_user(
        db,
        user_id=user_id,
        at=at,
        received=now,
        ttl=ttl,
        min_gap=min_gap,
        language=normalise_language(heartbeat.language) if heartbeat.language else None,
        editor=heartbeat.editor,
        project=heartbeat.project,
        session_id=heartbeat.session_id,
    )


def record_heartbeat(
    db: Database[Any],
    *,
    user_id: str,
    at: datetime | None,
    said: Heartbeat,
    now: datetime,
    ttl: timedelta,
    min_gap: timedelta,
) -> RecordedHeartbeat:
    """Refresh the user's presence (``at`` default now); 429 within ``min_gap`` of their last heartbeat.

    Clients send one every 30 to 60 seconds per editor window: a few windows of one user pass the gap, a
    client in a loop does not.
    """
    instant = rules.heartbeat_instant(at, now=now, ttl=ttl)
    if not _write(db, user_id=user_id, heartbeat=said, at=instant, now=now, ttl=ttl, min_gap=min_gap):
        gap = math.ceil(min_gap.total_seconds())
        raise TooManyRequests(
            f"Too many heartbeats: at most one every {gap} seconds for a user", headers={"Retry-After": str(gap)}
        )
    return RecordedHeartbeat(user_id=user_id, at=instant, live_until=instant + ttl)


def refresh_presence(
    db: Database[Any], *, user_id: str, at: datetime, said: Heartbeat, now: datetime, ttl: timedelta
) -> None:
    """Refresh presence from a heartbeat another route took and limits (a WakaTime one); a stale one changes nothing."""
    try:
        instant = rules.heartbeat_instant(at, now=now, ttl=ttl)
    except BadRequest:
        return
    _write(db, user_id=user_id, heartbeat=said, at=instant, now=now, ttl=ttl, min_gap=timedelta(0))


def _coding_now(db: Database[Any], *, now: datetime, ttl: timedelta) -> list[tuple[Presence, Listing]]:
    """The listed users coding now, latest heartbeat first, with their listings."""
    seen = presence.find_presence_seen_since(db, now - ttl)
    listings = users.find_listings_by_ids(db, [item.user_id for item in seen])
    return [
        (item, listing)
        for item in seen
        if (listing := listings.get(item.user_id)) is not None and ranking.is_listed(listing)
    ]


def _in_progress_within(
    live: list[tuple[Presence, Listing]], period: Period, *, now: datetime, ttl: timedelta
) -> dict[str, float]:
    """Per user coding now, their in-progress seconds inside ``period`` (0 for a stretch not begun)."""
    # The rolling window ends at the current minute; the heartbeats of this minute count on the live board.
    end = max(period.end, now)
    return {
        item.user_id: rules.seconds_within(
            rules.in_progress(item, last_credited_end=listing.last_session_date, now=now, ttl=ttl), period.start, end
        )
        for item, listing in live
    }


def read_coding_now(db: Database[Any], *, limit: int, now: datetime, zone: ZoneInfo, ttl: timedelta) -> CodingNowList:
    """How many public users are coding now, and the ``limit`` latest of them with today's time so far (the
    board day) including the open stretch."""
    everyone = _coding_now(db, now=now, ttl=ttl)
    live = everyone[:limit]
    day = period_at("day", now, zone)
    credited = boards.find_totals_by_users(
        db, board=board_name("day"), key=day.key, user_ids=[item.user_id for item, _ in live]
    )
    in_progress = _in_progress_within(live, day, now=now, ttl=ttl)
    result = []
    for item, listing in live:
        username, display_name = ranking.board_names(listing)
        result.append(
            CodingNow(
                user_id=item.user_id,
                username=username,
                display_name=display_name,
                language=item.language,
                editor=item.editor,
                since=item.since,
                last_seen=item.last_seen,
                today_seconds=round(credited.get(item.user_id, 0.0) + in_progress[item.user_id], 3),
            )
        )
    return CodingNowList(count=len(everyone), users=result)


def read_live_board(
    db: Database[Any], *, timeframe: Timeframe, limit: int, now: datetime, zone: ZoneInfo, ttl: timedelta
) -> LiveBoard:
    """The top ``limit`` of a board by provisional totals: credited plus the in-progress time of who codes now."""
    period = period_at(timeframe, now, zone)
    board = board_name(timeframe)
    live = _coding_now(db, now=now, ttl=ttl)
    credited = {
        entry.user_id: entry.total for entry in boards.find_page(db, board=board, key=period.key, offset=0, limit=limit)
    }
    credited |= boards.find_totals_by_users(
        db, board=board, key=period.key, user_ids=[item.user_id for item, _ in live]
    )
    provisional = rules.provisional_ranking(credited, _in_progress_within(live, period, now=now, ttl=ttl), limit=limit)
    languages = {item.user_id: item.language for item, _ in live}
    ranked = ranked_entries(
        db,
        timeframe=timeframe,
        ranked=[(entry.rank, BoardEntry(entry.user_id, entry.total_seconds)) for entry in provisional],
    )
    entries = [
        LiveEntry(
            ranked=named,
            credited_seconds=entry.credited_seconds,
            live=entry.live,
            language=languages.get(named.user_id),
        )
        for named, entry in zip(ranked, provisional, strict=True)
    ]
    has_range = timeframe != "allTime"
    return LiveBoard(
        timeframe=timeframe,
        period_key=period.key,
        start=period.start if has_range else None,
        end=period.end if has_range else None,
        timezone="UTC" if timeframe == "last24h" else str(zone),
        generated_at=now,
        entries=entries,
    )


def read_live(
    db: Database[Any], *, board: Timeframe | None, limit: int, now: datetime, zone: ZoneInfo, ttl: timedelta
) -> CodingNowList | LiveBoard:
    """``GET /live``: who is coding now, or with ``board`` that board with the time of who is coding now."""
    if board is None:
        return read_coding_now(db, limit=limit, now=now, zone=zone, ttl=ttl)
    return read_live_board(db, timeframe=board, limit=limit, now=now, zone=zone, ttl=ttl)


def count_coding_now(db: Database[Any], *, now: datetime, ttl: timedelta) -> int:
    """How many users are coding now, private ones included (a count names no one)."""
    return presence.count_presence_seen_since(db, now - ttl)
