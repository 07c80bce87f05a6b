"""Leaderboard reads: a page of a board with names and trends, a user's own entry and neighbours, the top
of all time, and who grew most.

Each board read is a bounded number of index walks and point lookups whatever the number of users: the
page, one ``$in`` for names, one for previous ranks, and for ``userId`` a point read, two counts and two
short walks for the neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking.domain import ranking
from tracking.domain.credit import board_name
from tracking.domain.languages import normalise_language
from tracking.domain.periods import ALL_TIME_KEY, Timeframe, period_at
from tracking.errors import BadRequest
from tracking.store import boards, dailytotals, snapshots, users
from tracking.store.boards import BoardEntry

NEIGHBOURS = 2


@dataclass(frozen=True)
class RankedEntry:
    user_id: str
    username: str
    display_name: str
    rank: int
    total_seconds: float
    rank_delta: int
    previous_rank: int | None


@dataclass(frozen=True)
class BoardView:
    timeframe: Timeframe
    period_key: str
    language: str | None
    start: datetime | None
    end: datetime | None
    timezone: str
    generated_at: datetime
    entries: list[RankedEntry]
    me: RankedEntry | None
    neighbours: list[RankedEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class Standing:
    rank: int
    total_seconds: float


@dataclass(frozen=True)
class TopUser:
    user_id: str
    username: str
    display_name: str
    total_seconds: float


@dataclass(frozen=True)
class Growth:
    user_id: str
    name: str
    avatar_url: str | None
    delta_hours: float
    total_hours: float


def ranked_entries(db: Database[Any], *, timeframe: str, ranked: list[tuple[int, BoardEntry]]) -> list[RankedEntry]:
    """``(rank, entry)`` pairs with their names and trends: one ``$in`` for the names, one for previous ranks."""
    user_ids = [entry.user_id for _, entry in ranked]
    listings = users.find_listings_by_ids(db, user_ids)
    previous = snapshots.find_latest_ranks(db, timeframe=timeframe, user_ids=user_ids)
    result = []
    for rank, entry in ranked:
        username, display_name = ranking.board_names(listings.get(entry.user_id))
        previous_rank = previous.get(entry.user_id)
        result.append(
            RankedEntry(
                user_id=entry.user_id,
                username=username,
                display_name=display_name,
                rank=rank,
                total_seconds=round(entry.total, 3),
                rank_delta=ranking.rank_delta(rank, previous_rank),
                previous_rank=previous_rank,
            )
        )
    return result


def _page_after_cursor(
    db: Database[Any], *, board: str, key: str, cursor: str, limit: int
) -> tuple[list[BoardEntry], int]:
    after = ranking.decode_cursor(cursor)
    if after is None:
        raise BadRequest("Invalid cursor: use the nextCursor of a previous page")
    total, user_id = after
    page = boards.find_after(db, board=board, key=key, total=total, user_id=user_id, limit=limit)
    if not page:
        return page, 0
    return page, boards.count_ahead(db, board=board, key=key, total=page[0].total, user_id=page[0].user_id) + 1


def _rank_of(db: Database[Any], *, board: str, key: str, entry: BoardEntry) -> int:
    return boards.count_ahead(db, board=board, key=key, total=entry.total, user_id=entry.user_id) + 1


def _me_and_neighbours(
    db: Database[Any], *, board: str, key: str, user_id: str
) -> tuple[list[tuple[int, BoardEntry]], list[tuple[int, BoardEntry]]]:
    own = boards.find_entry(db, board=board, key=key, user_id=user_id)
    if own is None:
        return [], []
    rank = _rank_of(db, board=board, key=key, entry=own)
    above = boards.find_before(db, board=board, key=key, total=own.total, user_id=own.user_id, limit=NEIGHBOURS)
    below = boards.find_after(db, board=board, key=key, total=own.total, user_id=own.user_id, limit=NEIGHBOURS)
    around = [(rank - len(above) + index, entry) for index, entry in enumerate(above)]
    around += [(rank + 1 + index, entry) for index, entry in enumerate(below)]
    return [(rank, own)], around


def read_board(
    db: Database[Any],
    *,
    timeframe: Timeframe,
    language: str | None,
    limit: int,
    page: int,
    cursor: str | None,
    user_id: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> BoardView:
    """A page of a board (by page number, or after ``cursor``), with ``user_id``'s own entry and neighbours."""
    period = period_at(timeframe, now, zone)
    language = normalise_language(language) if language else language
    board = board_name(timeframe, language)
    if cursor:
        entries, first_rank = _page_after_cursor(db, board=board, key=period.key, cursor=cursor, limit=limit)
    else:
        offset = (page - 1) * limit
        entries = boards.find_page(db, board=board, key=period.key, offset=offset, limit=limit)
        first_rank = offset + 1
    ranked = [(first_rank + index, entry) for index, entry in enumerate(entries)]
    me, around = _me_and_neighbours(db, board=board, key=period.key, user_id=user_id) if user_id else ([], [])

    # One lookup of names and previous ranks for the page, the user and the neighbours together.
    everyone = ranked_entries(db, timeframe=timeframe, ranked=ranked + me + around)
    mine = everyone[len(ranked) : len(ranked) + len(me)]
    has_range = timeframe != "allTime"
    return BoardView(
        timeframe=timeframe,
        period_key=period.key,
        language=language,
        start=period.start if has_range else None,
        end=period.end if has_range else None,
        # The rolling board is the last 24 hours, whatever the board time zone.
        timezone="UTC" if timeframe == "last24h" else str(zone),
        generated_at=now,
        entries=everyone[: len(ranked)],
        me=mine[0] if mine else None,
        neighbours=everyone[len(ranked) + len(me) :],
        next_cursor=ranking.encode_cursor(entries[-1].total, entries[-1].user_id) if len(entries) == limit else None,
    )


def read_standing(
    db: Database[Any], *, timeframe: Timeframe, user_id: str, now: datetime, zone: ZoneInfo
) -> Standing | None:
    """The user's rank and total on the current period of a board; None when they are not on it."""
    key = period_at(timeframe, now, zone).key
    own = boards.find_entry(db, board=board_name(timeframe), key=key, user_id=user_id)
    if own is None:
        return None
    return Standing(rank=_rank_of(db, board=board_name(timeframe), key=key, entry=own), total_seconds=own.total)


def read_top_all_time(db: Database[Any], *, limit: int) -> list[TopUser]:
    page = boards.find_page(db, board=board_name("allTime"), key=ALL_TIME_KEY, offset=0, limit=limit)
    listings = users.find_listings_by_ids(db, [entry.user_id for entry in page])
    result = []
    for entry in page:
        username, display_name = ranking.board_names(listings.get(entry.user_id))
        result.append(TopUser(entry.user_id, username, display_name, round(entry.total, 3)))
    return result


def _seconds_between(db: Database[Any], start: datetime, end: datetime) -> dict[str, float]:
    """Credited seconds per user in whole UTC hours ``[start, end)``, from the daily totals' hour slots."""
    return ranking.seconds_in_hours(dailytotals.find_hours_by_days(db, ranking.days_spanned(start, end)), start, end)


def read_growth(db: Database[Any], *, period: str, limit: int, now: datetime) -> list[Growth]:
    """Who gained most: the last ``days`` against the ``days`` before, two windows of equal length."""
    days = ranking.GROWTH_WINDOW_DAYS.get(period)
    if days is None:
        raise BadRequest(f"Invalid period. Must be one of: {', '.join(ranking.GROWTH_WINDOW_DAYS)}")
    (start, end), (previous_start, previous_end) = ranking.growth_windows(days, now)
    current = _seconds_between(db, start, end)
    previous = _seconds_between(db, previous_start, previous_end)
    listings = users.find_listings_by_ids(db, list(current))
    rows = []
    for user_id, seconds in current.items():
        user = listings.get(user_id)
        if user is None or not ranking.is_listed(user):
            continue
        _, name = ranking.board_names(user)
        rows.append(
            Growth(
                user_id=user_id,
                name=name,
                avatar_url=user.avatar_url,
                delta_hours=round((seconds - previous.get(user_id, 0.0)) / 3600, 2),
                total_hours=round(seconds / 3600, 2),
            )
        )
    rows.sort(key=lambda row: (-row.delta_hours, row.user_id))
    return rows[:limit]
