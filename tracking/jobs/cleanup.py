"""The weekly retention cleanup, a Durable orchestration started by a timer or by POST /api/admin/cleanup.

Each start uses one instance id per ISO week (``cleanup-2026-W48``) and asks for its status first, so a
double or late timer run, or a second admin start, finds the running or finished instance instead of
starting another. The starter fixes ``now`` and the cut-offs in the orchestration input, which keeps
the orchestrator deterministic; the orchestrator only fans activities out over batches of users, and
the activities do the I/O (tracking.store.retention). The run is recorded in ``jobruns``.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from tracking import config
from tracking.domain.retention import (
    PRUNED_TIMEFRAMES,
    Cutoffs,
    RetentionPolicy,
    batches,
    cleanup_instance_id,
    cutoffs,
    iso_week_key,
    latest_occurrence,
)
from tracking.services.ingest import relist_user
from tracking.store import jobruns, retention
from tracking.store.client import get_db

logger = logging.getLogger(__name__)

bp = df.Blueprint()

JOB_NAME = "weekly_cleanup"  # the timer's function name: runs are listed under it in the cron status
ORCHESTRATOR = "cleanup_orchestrator"
# Session batches run this many activities at a time; progress is reported after each wave.
WAVE = 4

# Statuses in which an instance counts as this week's cleanup; a failed or terminated one may be restarted.
_FOUND = (
    df.OrchestrationRuntimeStatus.Pending,
    df.OrchestrationRuntimeStatus.Running,
    df.OrchestrationRuntimeStatus.ContinuedAsNew,
    df.OrchestrationRuntimeStatus.Completed,
)


def policy_from_settings() -> RetentionPolicy:
    return RetentionPolicy(
        session_days=config.settings().retention_session_days,
        day_snapshot_days=config.settings().retention_day_snapshot_days,
        week_snapshot_days=config.settings().retention_week_snapshot_days,
        month_snapshot_days=config.settings().retention_month_snapshot_days,
        inactive_user_days=config.settings().retention_inactive_user_days,
        job_runs_days=config.settings().retention_job_runs_days,
    )


def cleanup_input(*, now: datetime, trigger: str, dry_run: bool) -> dict[str, Any]:
    """The orchestration input: plain JSON, everything the activities need, fixed at start."""
    return {
        "now": now.isoformat(),
        "trigger": trigger,
        "dryRun": dry_run,
        "batchSize": config.settings().cleanup_batch_size,
        "cutoffs": cutoffs(policy_from_settings(), now).to_json(),
    }


async def start_cleanup(
    client: df.DurableOrchestrationClient, *, now: datetime, week_key: str, trigger: str, dry_run: bool
) -> tuple[str, str, bool]:
    """Start this week's cleanup unless it exists: (instance id, runtime status, whether it started now)."""
    instance_id = cleanup_instance_id(week_key, dry_run=dry_run)
    status = await client.get_status(instance_id)
    if status.runtime_status in _FOUND:
        assert status.runtime_status is not None
        return instance_id, status.runtime_status.value, False
    await client.start_new(ORCHESTRATOR, instance_id, cleanup_input(now=now, trigger=trigger, dry_run=dry_run))
    return instance_id, df.OrchestrationRuntimeStatus.Pending.value, True


@bp.timer_trigger(schedule="%CLEANUP_SCHEDULE%", arg_name="timer", run_on_startup=False)
@bp.durable_client_input(client_name="client")
async def weekly_cleanup(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    now = datetime.now(UTC)
    # The week of the occurrence this run stands for: a late run on Monday still counts for Sunday's week.
    week_key = iso_week_key(latest_occurrence(config.settings().cleanup_schedule, now))
    trigger = "timer-late" if timer.past_due else "timer"
    instance_id, status, started = await start_cleanup(
        client, now=now, week_key=week_key, trigger=trigger, dry_run=config.settings().cleanup_dry_run
    )
    if started:
        logger.info("weekly cleanup %s started (%s)", instance_id, trigger)
    else:
        logger.info("weekly cleanup %s already exists (%s); nothing started", instance_id, status)


def _progress(stage: str, done: int, total: int, sessions: dict[str, int]) -> dict[str, Any]:
    return {"stage": stage, "batchesDone": done, "batchesTotal": total, "codingSessions": dict(sessions)}


@bp.orchestration_trigger(context_name="context")
def cleanup_orchestrator(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    job = context.get_input()
    run_id = yield context.call_activity(
        "cleanup_begin", {"instanceId": context.instance_id, "trigger": job["trigger"], "startedAt": job["now"]}
    )
    try:
        user_batches = yield context.call_activity("cleanup_plan", job)
        sessions = {"aggregated": 0, "deleted": 0, "unsummed": 0}
        context.set_custom_status(_progress("sessions", 0, len(user_batches), sessions))
        for start in range(0, len(user_batches), WAVE):
            wave = user_batches[start : start + WAVE]
            counts = yield context.task_all(
                [context.call_activity("cleanup_sessions", {**job, "userIds": user_ids}) for user_ids in wave]
            )
            for count in counts:
                for key in sessions:
                    sessions[key] += count[key]
            context.set_custom_status(_progress("sessions", start + len(wave), len(user_batches), sessions))
        context.set_custom_status(_progress("snapshots", len(user_batches), len(user_batches), sessions))
        deleted = yield context.task_all(
            [context.call_activity("cleanup_snapshots", {**job, "timeframe": tf}) for tf in PRUNED_TIMEFRAMES]
        )
        context.set_custom_status(_progress("users", len(user_batches), len(user_batches), sessions))
        archived = yield context.call_activity("cleanup_users", job)
        context.set_custom_status(_progress("jobRuns", len(user_batches), len(user_batches), sessions))
        job_runs_deleted = yield context.call_activity("cleanup_job_runs", job)
        result = {
            "dryRun": job["dryRun"],
            "cutoffs": job["cutoffs"],
            "codingSessions": sessions,
            "leaderboardSnapshots": {
                "deletedCount": sum(deleted),
                "byTimeframe": dict(zip(PRUNED_TIMEFRAMES, deleted, strict=True)),
            },
            "inactiveUsers": {"archivedCount": archived},
            "jobRuns": {"deletedCount": job_runs_deleted},
        }
    except Exception as error:
        # Record the failure in the job run, then fail the orchestration with the same error.
        yield context.call_activity(
            "cleanup_finish", {"runId": run_id, "status": jobruns.FAILED, "error": str(error), "result": None}
        )
        raise
    yield context.call_activity(
        "cleanup_finish", {"runId": run_id, "status": jobruns.SUCCEEDED, "error": None, "result": result}
    )
    context.set_custom_status(_progress("done", len(user_batches), len(user_batches), sessions))
    return result


@bp.activity_trigger(input_name="run")
def cleanup_begin(run: dict[str, Any]) -> str:
    return jobruns.start_orchestration_run(get_db(), name=JOB_NAME, trigger=run["trigger"], run=run)


@bp.activity_trigger(input_name="job")
def cleanup_plan(job: dict[str, Any]) -> list[list[str]]:
    """The batches of users who have sessions past the cut-off."""
    user_ids = retention.find_user_ids_with_sessions_before(get_db(), Cutoffs.from_json(job["cutoffs"]).sessions)
    return batches(user_ids, job["batchSize"])


@bp.activity_trigger(input_name="job")
def cleanup_sessions(job: dict[str, Any]) -> dict[str, int]:
    return retention.delete_sessions_by_users_before(
        get_db(), user_ids=job["userIds"], cutoff=Cutoffs.from_json(job["cutoffs"]).sessions, dry_run=job["dryRun"]
    )


@bp.activity_trigger(input_name="job")
def cleanup_snapshots(job: dict[str, Any]) -> int:
    cutoff = Cutoffs.from_json(job["cutoffs"]).snapshots[job["timeframe"]]
    return retention.delete_snapshots_before(get_db(), timeframe=job["timeframe"], cutoff=cutoff, dry_run=job["dryRun"])


@bp.activity_trigger(input_name="job")
def cleanup_users(job: dict[str, Any]) -> int:
    """Archive inactive users, then drop them from the boards (archived users are not listed)."""
    db = get_db()
    now = datetime.fromisoformat(job["now"])
    cutoff = Cutoffs.from_json(job["cutoffs"]).inactive_users
    user_ids = retention.archive_users_inactive_before(db, cutoff=cutoff, now=now, dry_run=job["dryRun"])
    if not job["dryRun"]:
        settings = config.settings()
        for user_id in user_ids:
            relist_user(db, user_id=user_id, now=now, settings=settings)
    return len(user_ids)


@bp.activity_trigger(input_name="job")
def cleanup_job_runs(job: dict[str, Any]) -> int:
    cutoff = Cutoffs.from_json(job["cutoffs"]).job_runs
    return retention.delete_job_runs_before(get_db(), cutoff=cutoff, dry_run=job["dryRun"])


@bp.activity_trigger(input_name="run")
def cleanup_finish(run: dict[str, Any]) -> None:
    jobruns.finish_orchestration_run(get_db(), run)
