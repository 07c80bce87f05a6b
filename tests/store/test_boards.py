from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo.database import Database

from tests.utils.sessions import insert_session, insert_user
from tracking.domain.intervals import Span, credit
from tracking.domain.periods import rolling_window
from tracking.store import boards

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def entries(db: Database[Any], board: str, key: str) -> list[tuple[str, float]]:
    return [(e.user_id, e.total) for e in boards.find_page(db, board=board, key=key, offset=0, limit=100)]


def refresh(db: Database[Any], user_id: str, start: datetime, end: datetime, now: datetime = NOW) -> None:
    boards.refresh_user_boards(db, user_id=user_id, touched=[(start, end)], now=now, zone=UTC_ZONE)


def test_overlapping_sessions_are_credited_once_on_every_board(db: Database[Any]) -> None:
    insert_user(db, "1")
    insert_session(db, "1", hours_ago(3), hours_ago(1), {"python": 7200})
    insert_session(db, "1", hours_ago(2), hours_ago(1), {"go": 3600})
    refresh(db, "1", hours_ago(3), hours_ago(1))
    assert entries(db, "day", "2026-11-23") == [("1", 7200)]
    assert entries(db, "week", "2026-W48") == [("1", 7200)]
    assert entries(db, "month", "2026-11") == [("1", 7200)]
    assert entries(db, "last24h", "rolling") == [("1", 7200)]
    assert entries(db, "day:python", "2026-11-23") == [("1", pytest.approx(5400))]
    assert entries(db, "day:go", "2026-11-23") == [("1", pytest.approx(1800))]


def test_order_is_total_descending_then_user_id(db: Database[Any]) -> None:
    for user_id, hours in (("30", 1), ("10", 2), ("20", 1)):
        insert_user(db, user_id)
        insert_session(db, user_id, hours_ago(hours + 1), hours_ago(1))
        refresh(db, user_id, hours_ago(hours + 1), hours_ago(1))
    assert entries(db, "day", "2026-11-23") == [("10", 7200), ("20", 3600), ("30", 3600)]
    assert boards.count_ahead(db, board="day", key="2026-11-23", total=3600, user_id="30") == 2


def test_private_and_archived_users_are_left_off(db: Database[Any]) -> None:
    insert_user(db, "1", isPublic=False)
    insert_user(db, "2", archived=True)
    for user_id in ("1", "2"):
        insert_session(db, user_id, hours_ago(2), hours_ago(1))
        refresh(db, user_id, hours_ago(2), hours_ago(1))
    assert db["boards"].count_documents({}) == 0


def test_going_private_removes_the_user_and_going_public_restores_them(db: Database[Any]) -> None:
    insert_user(db, "1")
    insert_session(db, "1", hours_ago(2), hours_ago(1))
    refresh(db, "1", hours_ago(2), hours_ago(1))
    db["users"].update_one({"userId": "1"}, {"$set": {"isPublic": False}})
    boards.rebuild_user_boards(db, user_id="1", now=NOW, zone=UTC_ZONE)
    assert db["boards"].count_documents({}) == 0
    db["users"].update_one({"userId": "1"}, {"$set": {"isPublic": True}})
    boards.rebuild_user_boards(db, user_id="1", now=NOW, zone=UTC_ZONE)
    assert entries(db, "week", "2026-W48") == [("1", 3600)]


def test_a_session_across_midnight_is_split_between_the_days(db: Database[Any]) -> None:
    insert_user(db, "1")
    start, end = datetime(2026, 11, 22, 23, 30, tzinfo=UTC), datetime(2026, 11, 23, 0, 45, tzinfo=UTC)
    insert_session(db, "1", start, end)
    refresh(db, "1", start, end)
    assert entries(db, "day", "2026-11-22") == [("1", 1800)]
    assert entries(db, "day", "2026-11-23") == [("1", 2700)]
    assert entries(db, "week", "2026-W47") == [("1", 1800)]
    assert entries(db, "week", "2026-W48") == [("1", 2700)]


def test_week_boundary_follows_the_board_time_zone(db: Database[Any]) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    insert_user(db, "1")
    # Sunday 23:30 UTC is already Monday 00:30 in Berlin: the new week there.
    start, end = datetime(2026, 11, 22, 23, 30, tzinfo=UTC), datetime(2026, 11, 22, 23, 50, tzinfo=UTC)
    insert_session(db, "1", start, end)
    boards.refresh_user_boards(db, user_id="1", touched=[(start, end)], now=NOW, zone=berlin)
    assert entries(db, "week", "2026-W48") == [("1", 1200)]
    assert entries(db, "week", "2026-W47") == []


def test_rolling_board_equals_a_brute_force_recount_at_every_minute(db: Database[Any]) -> None:
    sessions = {
        "1": [(hours_ago(26), hours_ago(23.5), {"python": 9000}), (hours_ago(23.9), hours_ago(22), {"rust": 100})],
        "2": [(hours_ago(24.2), hours_ago(23.8), {}), (hours_ago(1), hours_ago(0.5), {"go": 1800})],
        "3": [(hours_ago(23.95), hours_ago(23.9), {})],
    }
    for user_id, spans in sessions.items():
        insert_user(db, user_id)
        for start, end, languages in spans:
            insert_session(db, user_id, start, end, languages)
        refresh(db, user_id, hours_ago(30), NOW)

    for minute in range(0, 150, 1):
        now = NOW + timedelta(minutes=minute, seconds=7)
        boards.sweep_rolling_board(db, now=now)
        start, end = rolling_window(now)
        expected = {}
        for user_id, spans in sessions.items():
            total = credit([Span(a, b, langs) for a, b, langs in spans], start, end).seconds
            if total > 0:
                expected[user_id] = total
        actual = dict(entries(db, "last24h", "rolling"))
        assert actual == pytest.approx(expected), f"at {now}"


def test_refresh_is_idempotent(db: Database[Any]) -> None:
    insert_user(db, "1")
    insert_session(db, "1", hours_ago(2), hours_ago(1), {"python": 3600})
    refresh(db, "1", hours_ago(2), hours_ago(1))
    before = sorted((d["_id"], d["total"]) for d in db["boards"].find())
    refresh(db, "1", hours_ago(2), hours_ago(1))
    assert sorted((d["_id"], d["total"]) for d in db["boards"].find()) == before


def test_neighbours_walk_the_index(db: Database[Any]) -> None:
    for index in range(10):
        user_id = f"u{index}"
        insert_user(db, user_id)
        insert_session(db, user_id, hours_ago(1) - timedelta(minutes=index + 1), hours_ago(1))
        refresh(db, user_id, hours_ago(2), hours_ago(1))
    # Totals: u9 has 10 minutes (rank 1) ... u0 has 1 minute (rank 10).
    above = boards.find_before(db, board="day", key="2026-11-23", total=300, user_id="u4", limit=2)
    below = boards.find_after(db, board="day", key="2026-11-23", total=300, user_id="u4", limit=2)
    assert [e.user_id for e in above] == ["u6", "u5"]
    assert [e.user_id for e in below] == ["u3", "u2"]
