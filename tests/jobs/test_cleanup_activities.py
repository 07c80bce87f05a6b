"""The cleanup's activities and starter against the development database, and run_job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.durable import StandInClient
from tests.utils.retention import ACTIVE, IDLE, seed_retention_data
from tracking import config
from tracking.jobs import cleanup
from tracking.services.jobruns import run_job
from tracking.store import jobruns

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)


def activity(name: str) -> Any:
    return getattr(cleanup, name).build().get_user_function()


def test_activities_plan_delete_archive_and_record_the_run(db: Database[Any]) -> None:
    seed_retention_data(db, NOW)
    assert db["boards"].count_documents({"userId": IDLE}) == 8  # its last session's day, week, month and all time
    active_boards = list(db["boards"].find({"userId": ACTIVE}))
    job = cleanup.cleanup_input(now=NOW, trigger="admin", dry_run=False, settings=config.settings())
    run_id = activity("cleanup_begin")({"instanceId": "cleanup-2026-W48", "trigger": "admin", "startedAt": job["now"]})
    # A retried begin finds the same run.
    assert activity("cleanup_begin")(
        {"instanceId": "cleanup-2026-W48", "trigger": "admin", "startedAt": job["now"]}
    ) == (run_id)
    batches = activity("cleanup_plan")({**job, "batchSize": 2})
    assert batches == [[ACTIVE, "100000000000000002"], ["100000000000000003"]]
    counts = [activity("cleanup_sessions")({**job, "userIds": batch}) for batch in batches]
    assert counts == [{"aggregated": 31, "deleted": 31, "unsummed": 0}, {"aggregated": 0, "deleted": 0, "unsummed": 1}]
    assert activity("cleanup_snapshots")({**job, "timeframe": "month"}) == 1
    assert activity("cleanup_users")(job) == 1
    # Archived users leave the boards; the others keep theirs.
    assert db["boards"].count_documents({"userId": IDLE}) == 0
    assert list(db["boards"].find({"userId": ACTIVE})) == active_boards
    activity("cleanup_finish")({"runId": run_id, "status": "succeeded", "error": None, "result": {"ok": 1}})
    run = db["jobruns"].find_one({})
    assert run is not None
    assert db["jobruns"].count_documents({}) == 1
    assert (run["name"], run["instanceId"], run["trigger"], run["status"]) == (
        "weekly_cleanup",
        "cleanup-2026-W48",
        "admin",
        "succeeded",
    )
    assert run["startedAt"] == NOW
    assert run["result"] == {"ok": 1}


def test_job_runs_activity_honours_dry_run_and_keeps_each_latest_run(db: Database[Any]) -> None:
    job = cleanup.cleanup_input(now=NOW, trigger="timer", dry_run=True, settings=config.settings())
    for days_ago in (40, 31, 1):
        jobruns.start_run(db, name="rolling_board_sweeper", trigger="timer", started_at=NOW - timedelta(days=days_ago))
    jobruns.start_run(db, name="database_stats", trigger="timer", started_at=NOW - timedelta(days=60))
    assert activity("cleanup_job_runs")(job) == 2
    assert db["jobruns"].count_documents({}) == 4
    assert activity("cleanup_job_runs")({**job, "dryRun": False}) == 2
    assert sorted((run["name"], run["startedAt"]) for run in db["jobruns"].find()) == [
        ("database_stats", NOW - timedelta(days=60)),
        ("rolling_board_sweeper", NOW - timedelta(days=1)),
    ]


def test_cleanup_input_reads_the_retention_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETENTION_SESSION_DAYS", "10")
    monkeypatch.setenv("RETENTION_JOB_RUNS_DAYS", "3")
    monkeypatch.setenv("CLEANUP_BATCH_SIZE", "7")
    job = cleanup.cleanup_input(now=NOW, trigger="timer", dry_run=True, settings=config.settings())
    assert job["cutoffs"]["sessions"] == "2026-11-19T02:00:00.250000+00:00"
    assert job["cutoffs"]["jobRuns"] == "2026-11-26T02:00:00.250000+00:00"
    assert (job["batchSize"], job["dryRun"], job["trigger"], job["now"]) == (7, True, "timer", NOW.isoformat())


def start(client: StandInClient, *, dry_run: bool) -> Any:
    return cleanup.start_cleanup(
        client, now=NOW, week_key="2026-W48", trigger="timer", dry_run=dry_run, settings=config.settings()
    )


@pytest.mark.parametrize("status", ["Pending", "Running", "Completed"])
def test_a_second_start_in_the_week_finds_the_instance(status: str) -> None:
    client = StandInClient(status)
    got = asyncio.run(start(client, dry_run=False))
    assert got == ("cleanup-2026-W48", status, False)
    assert client.asked == ["cleanup-2026-W48"]
    assert client.started == []


@pytest.mark.parametrize("status", [None, "Failed", "Terminated"])
def test_a_new_failed_or_terminated_week_starts(status: str | None) -> None:
    client = StandInClient(status)
    got = asyncio.run(start(client, dry_run=True))
    assert got == ("cleanup-2026-W48-dry-run", "Pending", True)
    [(name, instance_id, payload)] = client.started
    assert (name, instance_id, payload["dryRun"], payload["now"]) == (
        "cleanup_orchestrator",
        "cleanup-2026-W48-dry-run",
        True,
        NOW.isoformat(),
    )


def test_run_job_records_success_and_failure_and_reraises(db: Database[Any]) -> None:
    assert run_job(db, name="demo", trigger="admin", work=lambda: {"count": 3}) == {"count": 3}

    def broken() -> dict[str, Any]:
        raise ValueError("no such thing")

    with pytest.raises(ValueError, match="no such thing"):
        run_job(db, name="demo", trigger="timer", work=broken)
    runs = list(db["jobruns"].find({"name": "demo"}).sort("startedAt", 1))
    assert [(r["trigger"], r["status"], r["result"], r["error"]) for r in runs] == [
        ("admin", "succeeded", {"count": 3}, None),
        ("timer", "failed", None, "ValueError: no such thing"),
    ]
    assert all(r["finishedAt"] >= r["startedAt"] for r in runs)
    last = jobruns.find_last_run_by_name(db, "demo")
    assert last is not None
    assert last.status == "failed"
    assert jobruns.find_last_run_by_name(db, "never") is None
