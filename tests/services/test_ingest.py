"""Recording sessions in-process, and the repair that must rebuild the same derived data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking import config
from tracking.domain.sessions import build_session
from tracking.models import SessionCreate
from tracking.services.ingest import rebuild_user, record_sessions

NOW = datetime.now(UTC).replace(microsecond=0)
USER = "123456789012345678"
DERIVED = ("totalCodingTime", "languages", "lastSessionDate", "currentStreak", "longestStreak", "lastStreakDay")


def session(end: datetime, seconds: float, languages: dict[str, float], **extra: Any) -> Any:
    body = SessionCreate(userId=USER, duration=seconds, sessionDate=end, languages=languages, **extra)
    return build_session(body, now=NOW, max_age_days=30)


def derived(db: Database[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    user = db["users"].find_one({"userId": USER})
    assert user is not None
    days = list(db["dailytotals"].find({"userId": USER}, {"_id": 0, "updatedAt": 0}).sort("day", 1))
    fields = {name: user[name] for name in DERIVED}
    fields["achievements"] = [item["name"] for item in user["achievements"]]
    return fields, days


def test_repair_rebuilds_the_same_derived_data(db: Database[dict[str, Any]]) -> None:
    batch = [
        session(NOW - timedelta(days=3, hours=2), 5400, {"python": 4000, "typescriptreact": 2000}),
        session(NOW - timedelta(days=3, hours=1, minutes=30), 3600, {"go": 3600}),
        session(NOW - timedelta(days=2), 7200, {"java": 7200}, username="jay"),
        session(NOW - timedelta(days=1), 3600, {"java": 3600}),
        session(NOW - timedelta(minutes=5), 120, {"markdown": 100}),
    ]
    assert record_sessions(db, batch=batch, now=NOW, settings=config.settings()) == [True] * 5
    before = derived(db)

    db["dailytotals"].delete_many({"userId": USER})
    db["dailytotals"].insert_one({"userId": USER, "day": (NOW - timedelta(days=5)).date().isoformat(), "seconds": 99})
    db["users"].update_one(
        {"userId": USER}, {"$set": {"totalCodingTime": 1, "languages": {}, "currentStreak": 9, "lastStreakDay": None}}
    )
    assert rebuild_user(db, user_id=USER, now=NOW, settings=config.settings())

    assert derived(db) == before
    assert before[0]["totalCodingTime"] == 7200 + 7200 + 3600 + 120
    # Four consecutive days back from today, five when the first sessions fall before a UTC midnight.
    assert before[0]["currentStreak"] in (4, 5)
    assert before[0]["achievements"][:2] == ["Novice 🥉", "Intermediate 🥈"]


def test_repair_of_an_unknown_user_is_refused(db: Database[dict[str, Any]]) -> None:
    assert rebuild_user(db, user_id=USER, now=NOW, settings=config.settings()) is False


def test_recording_the_same_batch_again_changes_nothing(db: Database[dict[str, Any]]) -> None:
    batch = [session(NOW - timedelta(days=1), 600, {"rust": 600}), session(NOW - timedelta(days=1), 600, {"rust": 600})]
    assert record_sessions(db, batch=batch, now=NOW, settings=config.settings()) == [True, False]
    before = derived(db)
    assert record_sessions(db, batch=batch, now=NOW, settings=config.settings()) == [False, False]
    assert derived(db) == before


def test_a_new_session_unarchives_the_user_and_puts_them_back_on_the_boards(db: Database[dict[str, Any]]) -> None:
    record_sessions(
        db, batch=[session(NOW - timedelta(hours=1), 600, {"python": 600})], now=NOW, settings=config.settings()
    )
    db["users"].update_one({"userId": USER}, {"$set": {"archived": True, "archivedAt": NOW}})
    db["boards"].delete_many({"userId": USER})

    assert record_sessions(db, batch=[session(NOW, 60, {"python": 60})], now=NOW, settings=config.settings()) == [True]

    user = db["users"].find_one({"userId": USER})
    assert user is not None
    assert (user["archived"], user["archivedAt"]) == (False, None)
    assert db["boards"].find_one({"_id": f"allTime|all|{USER}"}) is not None


def test_a_duplicate_session_does_not_unarchive(db: Database[dict[str, Any]]) -> None:
    replayed = session(NOW - timedelta(hours=1), 600, {"python": 600})
    record_sessions(db, batch=[replayed], now=NOW, settings=config.settings())
    db["users"].update_one({"userId": USER}, {"$set": {"archived": True}})
    assert record_sessions(db, batch=[replayed], now=NOW, settings=config.settings()) == [False]
    assert db["users"].find_one({"userId": USER})["archived"] is True  # type: ignore[index]
