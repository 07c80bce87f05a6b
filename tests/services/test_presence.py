"""Live presence through the real services and repositories, with the clock passed in: the TTL, rank changes
while someone codes, and what a live read costs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from tests.services.test_analytics import Commands
from tests.utils.factories import USER_A, USER_B, create_user
from tracking import config
from tracking.domain.presence import Heartbeat
from tracking.domain.sessions import NewSession
from tracking.services import presence
from tracking.services.ingest import record_sessions
from tracking.services.presence import LiveBoard
from tracking.services.snapshots import take_snapshot

# Midday, so that every stretch below is inside the board day.
NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
TTL = timedelta(seconds=120)
UTC_ZONE = ZoneInfo("UTC")


def beat(db: Database[Any], user_id: str, at: datetime, language: str = "python") -> None:
    said = Heartbeat(language=language, editor="vscode")
    presence.record_heartbeat(db, user_id=user_id, at=None, said=said, now=at, ttl=TTL, min_gap=timedelta(0))


def credit(db: Database[Any], user_id: str, end: datetime, seconds: float) -> None:
    session = NewSession(
        f"{user_id}-{end.isoformat()}",
        user_id,
        None,
        end - timedelta(seconds=seconds),
        end,
        {"python": seconds},
        None,
        None,
    )
    record_sessions(db, batch=[session], now=NOW, settings=config.settings())


def board(db: Database[Any], now: datetime) -> list[tuple[str, int, float, int, bool]]:
    view = presence.read_live(db, board="day", limit=10, now=now, zone=UTC_ZONE, ttl=TTL)
    assert isinstance(view, LiveBoard)
    return [
        (e.ranked.user_id, e.ranked.rank, e.ranked.total_seconds, e.ranked.rank_delta, e.live) for e in view.entries
    ]


def test_a_user_stops_coding_now_when_the_ttl_runs_out(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    beat(db, USER_A, NOW - timedelta(seconds=60))
    beat(db, USER_A, NOW)
    listed = presence.read_live(db, board=None, limit=10, now=NOW + TTL, zone=UTC_ZONE, ttl=TTL)
    assert isinstance(listed, presence.CodingNowList)
    [coding] = listed.users
    assert (coding.since, coding.last_seen, coding.today_seconds) == (NOW - timedelta(seconds=60), NOW, 60.0)
    assert presence.count_coding_now(db, now=NOW + TTL, ttl=TTL) == 1

    later = NOW + TTL + timedelta(seconds=1)
    assert presence.read_live(db, board=None, limit=10, now=later, zone=UTC_ZONE, ttl=TTL) == presence.CodingNowList(
        count=0, users=[]
    )
    assert presence.count_coding_now(db, now=later, ttl=TTL) == 0
    # Its provisional time goes with it: it was never credited.
    assert board(db, later) == []


def test_a_user_who_codes_moves_up_the_live_board_against_the_last_snapshot(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    create_user(db, USER_B, "grace")
    credit(db, USER_A, NOW - timedelta(hours=2), 600)
    credit(db, USER_B, NOW - timedelta(hours=2), 500)
    take_snapshot(db, timeframe="day", now=NOW - timedelta(hours=1), zone=UTC_ZONE)
    assert board(db, NOW) == [(USER_A, 1, 600.0, 0, False), (USER_B, 2, 500.0, 0, False)]

    for seconds in range(200, -1, -50):
        beat(db, USER_B, NOW - timedelta(seconds=seconds))
    assert board(db, NOW) == [(USER_B, 1, 700.0, 1, True), (USER_A, 2, 600.0, -1, False)]

    # The session B's extension sends when VS Code closes replaces the stretch: the same 700.
    credit(db, USER_B, NOW, 200)
    assert board(db, NOW) == [(USER_B, 1, 700.0, 1, True), (USER_A, 2, 600.0, -1, False)]


@pytest.fixture
def watched(mongodb_uri: str, db: Database[Any]) -> Iterator[tuple[Database[Any], Commands]]:
    commands = Commands()
    with MongoClient(mongodb_uri, tz_aware=True, event_listeners=[commands]) as client:
        yield client[db.name], commands


def test_a_heartbeat_is_one_write(watched: tuple[Database[Any], Commands]) -> None:
    db, commands = watched
    beat(db, USER_A, NOW)
    assert (commands.collections, commands.names) == (["presence"], {("update", "presence")})


def test_a_live_board_read_is_one_command_per_read_whatever_the_number_of_users(
    watched: tuple[Database[Any], Commands],
) -> None:
    db, commands = watched
    for number in range(30):
        user_id = f"1000000000000000{number:02d}"
        create_user(db, user_id, f"user{number}")
        credit(db, user_id, NOW - timedelta(hours=1), 60 + number)
        beat(db, user_id, NOW)
    commands.collections.clear()
    assert len(board(db, NOW)) == 10
    assert commands.collections == ["presence", "users", "boards", "boards", "users", "snapshotruns"], (
        commands.collections
    )
