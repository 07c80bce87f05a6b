"""Boards as ingest keeps them: the union of sessions in every period, the board zone, the rolling sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tracking import config
from tracking.domain.intervals import Span, credit
from tracking.domain.periods import rolling_window
from tracking.domain.sessions import NewSession
from tracking.services.ingest import record_sessions, relist_user, sweep_rolling_board
from tracking.store import boards, users

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def entries(db: Database[Any], board: str, key: str) -> list[tuple[str, float]]:
    return [(e.user_id, e.total) for e in boards.find_page(db, board=board, key=key, offset=0, limit=100)]


def record(
    db: Database[Any], user_id: str, start: datetime, end: datetime, languages: dict[str, float] | None = None
) -> None:
    session = NewSession(
        f"{start.isoformat()}|{end.isoformat()}", user_id, None, start, end, languages or {}, None, None
    )
    record_sessions(db, batch=[session], now=NOW, settings=config.settings())


def test_overlapping_sessions_are_credited_once_on_every_board(db: Database[Any]) -> None:
    record(db, "1", hours_ago(3), hours_ago(1), {"python": 7200})
    record(db, "1", hours_ago(2), hours_ago(1), {"go": 3600})
    assert entries(db, "day", "2026-11-23") == [("1", 7200)]
    assert entries(db, "week", "2026-W48") == [("1", 7200)]
    assert entries(db, "month", "2026-11") == [("1", 7200)]
    assert entries(db, "allTime", "all") == [("1", 7200)]
    assert entries(db, "last24h", "rolling") == [("1", 7200)]
    for timeframe, key in (("day", "2026-11-23"), ("week", "2026-W48"), ("month", "2026-11"), ("allTime", "all")):
        assert entries(db, f"{timeframe}:python", key) == [("1", pytest.approx(5400))]
        assert entries(db, f"{timeframe}:go", key) == [("1", pytest.approx(1800))]


def test_order_is_total_descending_then_user_id(db: Database[Any]) -> None:
    for user_id, hours in (("30", 1), ("10", 2), ("20", 1)):
        record(db, user_id, hours_ago(hours + 1), hours_ago(1))
    assert entries(db, "day", "2026-11-23") == [("10", 7200), ("20", 3600), ("30", 3600)]
    assert boards.count_ahead(db, board="day", key="2026-11-23", total=3600, user_id="30") == 2


def test_private_users_are_left_off_and_going_public_restores_them(db: Database[Any]) -> None:
    users.insert_user(db, user_id="1", username="one", now=NOW)
    users.set_fields_by_id(db, "1", {"isPublic": False})
    record(db, "1", hours_ago(2), hours_ago(1))
    assert db["boards"].count_documents({}) == 0
    users.set_fields_by_id(db, "1", {"isPublic": True})
    relist_user(db, user_id="1", now=NOW, settings=config.settings())
    assert entries(db, "week", "2026-W48") == [("1", 3600)]
    assert entries(db, "allTime", "all") == [("1", 3600)]
    users.set_fields_by_id(db, "1", {"archived": True})
    relist_user(db, user_id="1", now=NOW, settings=config.settings())
    assert db["boards"].count_documents({}) == 0


def test_a_session_across_midnight_is_split_between_the_days(db: Database[Any]) -> None:
    start, end = datetime(2026, 11, 22, 23, 30, tzinfo=UTC), datetime(2026, 11, 23, 0, 45, tzinfo=UTC)
    record(db, "1", start, end)
    assert entries(db, "day", "2026-11-22") == [("1", 1800)]
    assert entries(db, "day", "2026-11-23") == [("1", 2700)]
    assert entries(db, "week", "2026-W47") == [("1", 1800)]
    assert entries(db, "week", "2026-W48") == [("1", 2700)]


def test_week_boundary_follows_the_board_time_zone(db: Database[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOARD_TIMEZONE", "Europe/Berlin")
    # Sunday 23:30 UTC is already Monday 00:30 in Berlin: the new week there.
    record(db, "1", datetime(2026, 11, 22, 23, 30, tzinfo=UTC), datetime(2026, 11, 22, 23, 50, tzinfo=UTC))
    # A later session the same Berlin day moves the week by its own time only.
    record(db, "1", datetime(2026, 11, 22, 23, 40, tzinfo=UTC), datetime(2026, 11, 23, 0, 10, tzinfo=UTC))
    assert entries(db, "day", "2026-11-23") == [("1", 2400)]
    assert entries(db, "week", "2026-W48") == [("1", 2400)]
    assert entries(db, "week", "2026-W47") == []


def test_rolling_board_equals_a_brute_force_recount_at_every_minute(db: Database[Any]) -> None:
    spans_by_user = {
        "1": [(hours_ago(26), hours_ago(23.5), {"python": 9000}), (hours_ago(23.9), hours_ago(22), {"rust": 100})],
        "2": [(hours_ago(24.2), hours_ago(23.8), {}), (hours_ago(1), hours_ago(0.5), {"go": 1800})],
        "3": [(hours_ago(23.95), hours_ago(23.9), {})],
    }
    for user_id, spans in spans_by_user.items():
        for start, end, languages in spans:
            record(db, user_id, start, end, languages)

    for minute in range(0, 150, 1):
        now = NOW + timedelta(minutes=minute, seconds=7)
        sweep_rolling_board(db, now=now)
        start, end = rolling_window(now)
        expected = {}
        for user_id, spans in spans_by_user.items():
            total = credit([Span(a, b, langs) for a, b, langs in spans], start, end).seconds
            if total > 0:
                expected[user_id] = total
        actual = dict(entries(db, "last24h", "rolling"))
        assert actual == pytest.approx(expected), f"at {now}"


def test_recording_again_is_idempotent(db: Database[Any]) -> None:
    record(db, "1", hours_ago(2), hours_ago(1), {"python": 3600})
    before = sorted((d["_id"], d["total"]) for d in db["boards"].find())
    record(db, "1", hours_ago(2), hours_ago(1), {"python": 3600})
    relist_user(db, user_id="1", now=NOW, settings=config.settings())
    assert sorted((d["_id"], d["total"]) for d in db["boards"].find()) == before


def test_neighbours_walk_the_index(db: Database[Any]) -> None:
    for index in range(10):
        record(db, f"u{index}", hours_ago(1) - timedelta(minutes=index + 1), hours_ago(1))
    # Totals: u9 has 10 minutes (rank 1) ... u0 has 1 minute (rank 10).
    above = boards.find_before(db, board="day", key="2026-11-23", total=300, user_id="u4", limit=2)
    below = boards.find_after(db, board="day", key="2026-11-23", total=300, user_id="u4", limit=2)
    assert [e.user_id for e in above] == ["u6", "u5"]
    assert [e.user_id for e in below] == ["u3", "u2"]
