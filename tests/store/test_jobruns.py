"""The jobruns repository against the development database: a run's document from start to finish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.database import Database

from tracking.store import jobruns
from tracking.store.jobruns import JobRun

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)


def test_a_run_is_stored_running_then_finished(db: Database[Any]) -> None:
    run_id = jobruns.start_run(db, name="database_stats", trigger="timer", started_at=NOW)
    stored = db["jobruns"].find_one({"_id": ObjectId(run_id)}, {"_id": 0})
    assert stored == {
        "name": "database_stats",
        "trigger": "timer",
        "startedAt": NOW,
        "status": "running",
        "finishedAt": None,
        "result": None,
        "error": None,
    }
    assert jobruns.find_last_run_by_name(db, "database_stats") == JobRun(
        "database_stats", "timer", NOW, None, "running", None, None, None
    )
    jobruns.finish_run(db, run_id, finished_at=NOW + timedelta(seconds=2), status="failed", error="ValueError: x")
    assert jobruns.find_last_run_by_name(db, "database_stats") == JobRun(
        "database_stats", "timer", NOW, NOW + timedelta(seconds=2), "failed", None, "ValueError: x", None
    )


def test_an_orchestration_run_is_found_again_by_its_instance(db: Database[Any]) -> None:
    first = jobruns.start_run(
        db, name="weekly_cleanup", trigger="admin", started_at=NOW, instance_id="cleanup-2026-W48"
    )
    again = jobruns.start_run(
        db, name="weekly_cleanup", trigger="timer", started_at=NOW, instance_id="cleanup-2026-W48"
    )
    assert again == first
    assert db["jobruns"].count_documents({}) == 1
    jobruns.finish_run(db, first, finished_at=NOW, status="succeeded", result={"deleted": 3})
    assert jobruns.find_last_run_by_name(db, "weekly_cleanup") == JobRun(
        "weekly_cleanup", "admin", NOW, NOW, "succeeded", {"deleted": 3}, None, "cleanup-2026-W48"
    )


def test_the_last_run_is_the_latest_started(db: Database[Any]) -> None:
    for hours_ago in (3, 1, 2):
        jobruns.start_run(db, name="health_check", trigger="timer", started_at=NOW - timedelta(hours=hours_ago))
    last = jobruns.find_last_run_by_name(db, "health_check")
    assert last is not None
    assert last.started_at == NOW - timedelta(hours=1)
    assert jobruns.find_last_run_by_name(db, "never") is None


def test_only_runs_of_that_job_still_running_since_before_the_cutoff_are_abandoned(db: Database[Any]) -> None:
    dead = jobruns.start_run(db, name="credit_sweep", trigger="timer", started_at=NOW - timedelta(hours=7))
    recent = jobruns.start_run(db, name="credit_sweep", trigger="timer", started_at=NOW - timedelta(minutes=5))
    other = jobruns.start_run(db, name="health_check", trigger="timer", started_at=NOW - timedelta(hours=7))
    cutoff = NOW - timedelta(hours=6)
    assert jobruns.abandon_runs_by_name_before(db, name="credit_sweep", started_before=cutoff, now=NOW) == 1
    statuses = {str(doc["_id"]): (doc["status"], doc["error"]) for doc in db["jobruns"].find()}
    assert statuses == {
        dead: ("failed", jobruns.ABANDONED),
        recent: ("running", None),
        other: ("running", None),
    }
