"""record_heartbeats against the development database: the timeout setting, and what is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.factories import USER_A, create_user
from tracking import config
from tracking.domain.heartbeats import NewHeartbeat
from tracking.services.heartbeats import read_today, record_heartbeats

NOW = datetime.now(UTC).replace(microsecond=0)


def heartbeat(minutes_ago: float, *, category: str = "coding") -> NewHeartbeat:
    moment = NOW - timedelta(minutes=minutes_ago)
    return NewHeartbeat(
        heartbeat_id=f"hb-{minutes_ago}-{category}",
        user_id=USER_A,
        time=moment,
        category=category,
        language="go",
        project="app",
        editor="vim",
    )


def test_the_timeout_setting_decides_what_joins(db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    create_user(db, USER_A, "ada")
    monkeypatch.setenv("WAKATIME_TIMEOUT_MINUTES", "5")
    beats = [heartbeat(30), heartbeat(24), heartbeat(20)]  # 6 minutes, then 4
    outcomes = record_heartbeats(db, user_id=USER_A, batch=beats, now=NOW, settings=config.settings())
    assert outcomes == ["recorded"] * 3
    user = db.users.find_one({"userId": USER_A})
    assert user is not None and user["totalCodingTime"] == 240.0
    monkeypatch.setenv("WAKATIME_TIMEOUT_MINUTES", "15")
    # A replay is joined again, by the timeout of the day: here it joins the 6 minutes too.
    again = record_heartbeats(db, user_id=USER_A, batch=beats, now=NOW, settings=config.settings())
    assert again == ["duplicate"] * 3
    user = db.users.find_one({"userId": USER_A})
    assert user is not None and user["totalCodingTime"] == 600.0


def test_ignored_heartbeats_store_nothing(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    beats = [heartbeat(10, category="browsing"), heartbeat(8, category="meeting")]
    assert record_heartbeats(db, user_id=USER_A, batch=beats, now=NOW, settings=config.settings()) == ["ignored"] * 2
    assert db.heartbeats.count_documents({}) == 0
    assert db.codingsessions.count_documents({}) == 0
    assert read_today(db, user_id=USER_A, now=NOW).seconds == 0.0


def test_live_heartbeats_past_the_age_limit_and_the_timeout_are_deleted_and_imported_ones_kept(
    db: Database[dict[str, Any]],
) -> None:
    create_user(db, USER_A, "ada")
    settings = config.settings()
    horizon = timedelta(days=settings.max_session_age_days, minutes=settings.wakatime_timeout_minutes)
    db.heartbeats.insert_many(
        [
            {"_id": "old", "userId": "someone", "time": NOW - horizon - timedelta(seconds=1)},
            {"_id": "kept", "userId": "someone", "time": NOW - horizon + timedelta(seconds=1)},
            {"_id": "imported", "userId": "someone", "time": NOW - horizon * 2, "imported": True},
        ]
    )
    record_heartbeats(db, user_id=USER_A, batch=[heartbeat(1)], now=NOW, settings=settings)
    assert sorted(doc["_id"] for doc in db.heartbeats.find({"userId": "someone"})) == ["imported", "kept"]
