"""The leaderboards service over boards built by ingest: pages, cursors, the user's own entry, growth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tracking import config
from tracking.domain.sessions import NewSession
from tracking.errors import BadRequest
from tracking.services import ingest, leaderboards

NOW = datetime.now(UTC).replace(microsecond=0)


def _code(db: Database[dict[str, Any]], user_id: str, minutes: int) -> None:
    end = NOW - timedelta(minutes=1)
    session = NewSession(
        f"s{user_id}", user_id, f"user{user_id}", end - timedelta(minutes=minutes), end, {}, None, None
    )
    ingest.record_sessions(db, batch=[session], now=NOW, settings=config.settings())


def _read(db: Database[dict[str, Any]], **options: Any) -> leaderboards.BoardView:
    query: dict[str, Any] = {"language": None, "limit": 2, "page": 1, "cursor": None, "user_id": None, **options}
    return leaderboards.read_board(db, timeframe="last24h", now=NOW, zone=config.settings().board_timezone, **query)


def test_pages_cursors_and_the_users_own_entry(db: Database[dict[str, Any]]) -> None:
    for index in range(5):
        _code(db, str(index), 10 + index)
    first = _read(db)
    assert [(e.user_id, e.rank, e.total_seconds) for e in first.entries] == [("4", 1, 840.0), ("3", 2, 780.0)]
    assert (first.timezone, first.start is not None) == ("UTC", True)
    second = _read(db, cursor=first.next_cursor)
    assert [(e.user_id, e.rank) for e in second.entries] == [("2", 3), ("1", 4)]
    mine = _read(db, user_id="0")
    assert mine.me is not None and (mine.me.rank, mine.me.username) == (5, "user0")
    assert [e.user_id for e in mine.neighbours] == ["2", "1"]
    with pytest.raises(BadRequest):
        _read(db, cursor="!!")


def test_top_all_time_and_growth(db: Database[dict[str, Any]]) -> None:
    _code(db, "1", 60)
    _code(db, "2", 30)
    assert [(u.user_id, u.total_seconds) for u in leaderboards.read_top_all_time(db, limit=10)] == [
        ("1", 3600.0),
        ("2", 1800.0),
    ]
    growth = leaderboards.read_growth(db, period="day", limit=10, now=NOW)
    assert [(g.user_id, g.name, g.total_hours) for g in growth] == [("1", "user1", 1.0), ("2", "user2", 0.5)]
    with pytest.raises(BadRequest):
        leaderboards.read_growth(db, period="year", limit=10, now=NOW)
