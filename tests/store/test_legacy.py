"""Data of the replaced server: its totals survive as a baseline, its sessions are neither credited nor in the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tracking import config
from tracking.domain.sessions import build_session
from tracking.models import SessionCreate
from tracking.services.ingest import record_sessions
from tracking.store import client

NOW = datetime.now(UTC).replace(microsecond=0)
USER = "123456789012345678"


def legacy_database(db: Database[dict[str, Any]]) -> None:
    """What the replaced server left: its sparse unique index, sessions without ids, running totals."""
    db["codingsessions"].drop()
    db["codingsessions"].create_index("sessionId", unique=True, sparse=True, name="sessionId_1")
    for hours in (5, 3):
        end = NOW - timedelta(hours=hours)
        db["codingsessions"].insert_one(
            {"userId": USER, "username": "old", "startTime": end, "endTime": end + timedelta(hours=1), "duration": 3600}
        )
    db["users"].insert_one(
        {
            "userId": USER,
            "username": "old",
            "isPublic": True,
            "totalCodingTime": 50_000.0,
            "languages": {"python": 30_000, "javascript": 20_000, "go": 0},
            "achievements": [],
        }
    )


def test_the_replaced_servers_totals_are_kept_and_its_sessions_not_counted_twice(
    db: Database[dict[str, Any]],
) -> None:
    legacy_database(db)
    client.ensure_indexes(db)  # beside sessions that have no id
    assert "sessionId_1" not in db["codingsessions"].index_information()

    body = SessionCreate(userId=USER, duration=600, sessionDate=NOW - timedelta(minutes=1), languages={"python": 600})
    assert record_sessions(
        db, batch=[build_session(body, now=NOW, max_age_days=30)], now=NOW, settings=config.settings()
    ) == [True]

    user = db["users"].find_one({"userId": USER})
    assert user is not None
    assert user["baselineCodingTime"] == 50_000
    assert user["totalCodingTime"] == pytest.approx(50_600)
    assert user["languages"]["python"] == pytest.approx(30_600)
    assert user["languages"]["javascript"] == 20_000
    assert sum(day["seconds"] for day in db["dailytotals"].find({"userId": USER})) == pytest.approx(600)
    all_time = db["boards"].find_one({"_id": f"allTime|all|{USER}"})
    assert all_time is not None and all_time["total"] == pytest.approx(50_600)
    assert db["codingsessions"].count_documents({"sessionKey": {"$exists": False}}) == 2

    # A second session adds to the same baseline, not to the totals the first one produced.
    body = SessionCreate(userId=USER, duration=30, sessionDate=NOW, languages={"python": 30})
    record_sessions(db, batch=[build_session(body, now=NOW, max_age_days=30)], now=NOW, settings=config.settings())
    user = db["users"].find_one({"userId": USER})
    assert user is not None
    assert user["totalCodingTime"] == pytest.approx(50_630)
