from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tests.utils.retention import (
    ACTIVE,
    ARCHIVED,
    BOUNDARY,
    IDLE,
    KEPT_IDLE,
    NEVER,
    UNSUMMED,
    Seed,
    reads,
    seed_retention_data,
    snapshot_keys,
)
from tracking.domain.retention import PRUNED_TIMEFRAMES, RetentionPolicy, cutoffs
from tracking.services import retention
from tracking.store import jobruns, sessions, snapshots, users

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)  # millisecond-exact, as BSON dates are
CUT = cutoffs(RetentionPolicy(), NOW)


def _clean(db: Database[Any], *, dry_run: bool) -> dict[str, Any]:
    user_ids = sessions.find_user_ids_with_sessions_ended_before(db, CUT.sessions)
    cleaned = retention.clean_sessions(db, user_ids=user_ids, cutoff=CUT.sessions, dry_run=dry_run)
    deleted = {
        timeframe: snapshots.delete_snapshots_before(
            db, timeframe=timeframe, cutoff=CUT.snapshots[timeframe], dry_run=dry_run
        )
        for timeframe in PRUNED_TIMEFRAMES
    }
    archived = users.archive_users_inactive_before(db, cutoff=CUT.inactive_users, now=NOW, dry_run=dry_run)
    return {"users": user_ids, "sessions": cleaned, "snapshots": deleted, "archived": archived}


def _ids(db: Database[Any], collection: str, field: str) -> set[str]:
    return {doc[field] for doc in db[collection].find({}, {field: 1})}


def test_users_with_old_sessions_are_found_sorted(db: Database[Any]) -> None:
    seed_retention_data(db, NOW)
    assert sessions.find_user_ids_with_sessions_ended_before(db, CUT.sessions) == [ACTIVE, BOUNDARY, UNSUMMED]


def test_cleanup_deletes_and_archives_exactly_at_the_boundaries(db: Database[Any]) -> None:
    seed = seed_retention_data(db, NOW)
    result = _clean(db, dry_run=False)

    assert result["sessions"] == {"aggregated": seed.aggregated_days, "deleted": 31, "unsummed": 1}
    assert seed.aggregated_days == 31
    assert _ids(db, "codingsessions", "sessionId") == seed.kept_session_ids
    assert "boundary-kept" in seed.kept_session_ids  # ended exactly at the cut-off: kept
    assert "boundary-gone" in seed.deleted_session_ids  # one millisecond before: deleted
    assert "unsummed" in seed.kept_session_ids  # its day has no daily total: never deleted

    assert result["snapshots"] == {"day": 1, "week": 1, "month": 1, "last24h": 1}
    assert snapshot_keys(db) == seed.kept_snapshots
    assert sorted(timeframe for timeframe, _ in seed.kept_snapshots) == ["allTime", "day", "last24h", "month", "week"]

    assert result["archived"] == [IDLE]
    archived = {doc["userId"]: doc for doc in db["users"].find({"archived": True})}
    assert set(archived) == {IDLE, ARCHIVED}
    assert archived[IDLE]["archivedAt"] == NOW
    assert archived[ARCHIVED]["archivedAt"] == NOW.replace(year=2025, month=7, day=17)  # untouched
    for user_id in (ACTIVE, BOUNDARY, UNSUMMED, KEPT_IDLE, NEVER):
        user = db["users"].find_one({"userId": user_id})
        assert user is not None
        assert user["archived"] is False
        assert user["archivedAt"] is None
    assert db["users"].count_documents({}) == 7  # archived, never deleted


def test_totals_streaks_languages_boards_and_history_read_the_same_after_a_cleanup(db: Database[Any]) -> None:
    seed = seed_retention_data(db, NOW)
    before = reads(db)
    kept_snapshots = [
        doc for doc in db["leaderboardsnapshots"].find() if (doc["timeframe"], doc["periodKey"]) in seed.kept_snapshots
    ]
    _clean(db, dry_run=False)
    assert reads(db) == before
    assert list(db["leaderboardsnapshots"].find()) == kept_snapshots
    # Every day of the 120 days, and the two days of older history on the week boards.
    assert db["dailytotals"].count_documents({"userId": ACTIVE}) == 122


def test_a_second_run_changes_nothing(db: Database[Any]) -> None:
    seed_retention_data(db, NOW)
    _clean(db, dry_run=False)
    after = (reads(db), _ids(db, "codingsessions", "sessionId"), snapshot_keys(db))
    again = _clean(db, dry_run=False)
    assert again["sessions"] == {"aggregated": 0, "deleted": 0, "unsummed": 1}
    assert again["snapshots"] == {"day": 0, "week": 0, "month": 0, "last24h": 0}
    assert again["archived"] == []
    assert (reads(db), _ids(db, "codingsessions", "sessionId"), snapshot_keys(db)) == after
    assert db["users"].find_one({"userId": IDLE})["archivedAt"] == NOW  # type: ignore[index]


def test_dry_run_counts_the_same_and_changes_nothing(db: Database[Any]) -> None:
    seed: Seed = seed_retention_data(db, NOW)
    before = (reads(db), list(db["users"].find()), _ids(db, "codingsessions", "sessionId"))
    result = _clean(db, dry_run=True)
    assert result["sessions"] == {"aggregated": 31, "deleted": 31, "unsummed": 1}
    assert result["snapshots"] == {"day": 1, "week": 1, "month": 1, "last24h": 1}
    assert result["archived"] == [IDLE]
    assert (reads(db), list(db["users"].find()), _ids(db, "codingsessions", "sessionId")) == before
    assert snapshot_keys(db) == seed.kept_snapshots | seed.deleted_snapshots


def _seed_job_runs(db: Database[Any]) -> dict[str, set[str]]:
    """Runs around the job-runs cut-off; returns the ids the cleanup must delete and keep."""
    ms = timedelta(milliseconds=1)
    runs = {
        # The sweeper runs every minute: its old runs go, the one started at the cut-off stays.
        "sweeper-old": ("rolling_board_sweeper", CUT.job_runs - timedelta(days=10)),
        "sweeper-just-before": ("rolling_board_sweeper", CUT.job_runs - ms),
        "sweeper-at-cutoff": ("rolling_board_sweeper", CUT.job_runs),
        "sweeper-latest": ("rolling_board_sweeper", NOW - timedelta(minutes=1)),
        # Jobs that have not run since the cut-off keep their latest run, however old.
        "cleanup-older": ("weekly_cleanup", CUT.job_runs - timedelta(days=14)),
        "cleanup-latest": ("weekly_cleanup", CUT.job_runs - timedelta(days=7)),
        "stats-only": ("database_stats", NOW - timedelta(days=400)),
    }
    db["jobruns"].insert_many(
        [
            {"_id": run_id, "name": name, "trigger": "timer", "startedAt": started, "status": "succeeded"}
            for run_id, (name, started) in runs.items()
        ]
    )
    deleted = {"sweeper-old", "sweeper-just-before", "cleanup-older"}
    return {"deleted": deleted, "kept": set(runs) - deleted}


def test_old_job_runs_are_deleted_except_the_latest_of_each_job(db: Database[Any]) -> None:
    runs = _seed_job_runs(db)
    assert jobruns.delete_job_runs_before(db, cutoff=CUT.job_runs, dry_run=False) == 3
    assert _ids(db, "jobruns", "_id") == runs["kept"]
    # Every job still has its last run for the cron status.
    last_runs = {name: jobruns.find_last_run_by_name(db, name) for name in ("weekly_cleanup", "database_stats")}
    assert {name: run.started_at if run else None for name, run in last_runs.items()} == {
        "weekly_cleanup": CUT.job_runs - timedelta(days=7),
        "database_stats": NOW - timedelta(days=400),
    }
    assert jobruns.delete_job_runs_before(db, cutoff=CUT.job_runs, dry_run=False) == 0


def test_job_runs_dry_run_counts_the_same_and_deletes_nothing(db: Database[Any]) -> None:
    runs = _seed_job_runs(db)
    assert jobruns.delete_job_runs_before(db, cutoff=CUT.job_runs, dry_run=True) == 3
    assert _ids(db, "jobruns", "_id") == runs["kept"] | runs["deleted"]
