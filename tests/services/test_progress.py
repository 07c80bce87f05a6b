"""Streaks as they read now, and the hourly decay of the stored ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking import config
from tracking.domain.sessions import NewSession
from tracking.services import profiles, progress
from tracking.services.ingest import record_sessions
from tracking.store import users

TODAY = datetime(2026, 11, 23, 12, tzinfo=UTC)


def code_on(db: Database[Any], user_id: str, end: datetime, *, zone: str = "UTC") -> None:
    """One hour of coding ending at ``end``, recorded as it was that day."""
    users.insert_user(db, user_id=user_id, username=f"user{user_id}", now=end)
    users.update_profile_by_id(db, user_id, {"timezone": zone}, now=end)
    session = NewSession(f"s-{end.isoformat()}", user_id, None, end - timedelta(hours=1), end, {}, None, None)
    record_sessions(db, batch=[session], now=end, settings=config.settings())


def test_decay_sets_lapsed_streaks_to_zero_in_each_users_zone(db: Database[Any]) -> None:
    code_on(db, "1", datetime(2026, 11, 22, 12, tzinfo=UTC))  # yesterday: still running
    code_on(db, "2", datetime(2026, 11, 21, 12, tzinfo=UTC))  # two days ago: lapsed
    # Already the 24th in Kiribati when it is the 23rd noon in UTC, so the 22nd is two days back there.
    code_on(db, "3", datetime(2026, 11, 22, 2, tzinfo=UTC), zone="Pacific/Kiritimati")
    # A document of the replaced server: no lastStreakDay, its last session yesterday.
    db["users"].insert_one({"userId": "4", "currentStreak": 2, "lastSessionDate": TODAY - timedelta(days=1)})

    assert progress.decay_streaks(db, now=TODAY) == 2
    streaks = {doc["userId"]: doc["currentStreak"] for doc in db["users"].find()}
    assert streaks == {"1": 1, "2": 0, "3": 0, "4": 2}
    assert progress.decay_streaks(db, now=TODAY) == 0


def test_a_streak_reads_decayed_and_the_stored_one_follows(db: Database[Any]) -> None:
    code_on(db, "1", datetime(2026, 11, 20, 12, tzinfo=UTC))
    code_on(db, "1", datetime(2026, 11, 21, 12, tzinfo=UTC))
    assert progress.read_streak(db, user_id="1", now=datetime(2026, 11, 22, 9, tzinfo=UTC)) == progress.StreakReading(
        2, 2
    )
    assert progress.read_streak(db, user_id="1", now=TODAY) == progress.StreakReading(0, 2)
    assert db["users"].find_one({"userId": "1"})["currentStreak"] == 0  # type: ignore[index]


def test_a_new_time_zone_rebuilds_the_streak_in_that_zone(db: Database[Any]) -> None:
    # In UTC the 22nd has no time, so the streak is 1; in Tokyo the two hours fall on the 22nd and the 23rd.
    code_on(db, "1", datetime(2026, 11, 21, 23, 59, tzinfo=UTC))
    code_on(db, "1", datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    assert progress.read_streak(db, user_id="1", now=TODAY) == progress.StreakReading(1, 1)
    profiles.update_profile(db, user_id="1", changes={"timezone": "Asia/Tokyo"}, now=TODAY, settings=config.settings())
    assert progress.read_streak(db, user_id="1", now=TODAY) == progress.StreakReading(2, 2)
