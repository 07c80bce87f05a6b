"""The weekly retention cleanup, a Durable orchestration started by a timer or by POST /api/admin/cleanup.

Each start uses one instance id per ISO week (``cleanup-2026-W48``) and asks for its status first, so a
double or late timer run, or a second admin start, finds the running or finished instance instead of
starting another. The starter fixes ``now`` and the cut-offs in the orchestration input, which keeps
the orchestration deterministic; ``cleanup_steps`` only fans activities out over batches of users, and
the activities do the I/O (tracking.services.retention). The run is recorded in ``jobruns``.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from tracking import config
from tracking.config import Settings
from tracking.domain.retention import (
    PRUNED_TIMEFRAMES,
    Cutoffs,
    RetentionPolicy,
    cleanup_instance_id,
    cutoffs,
    iso_week_key,
    latest_occurrence,
)
from tracking.jobs import durable_job
from tracking.jobs.durable_job import Call, CallAll, DurableJob, Progress, Steps
from tracking.jobs.triggers import timer_trigger_name
from tracking.services import retention
from tracking.store.client import get_job_db
from tracking.timers import CLEANUP

logger = logging.getLogger(__name__)

bp = df.Blueprint()

# Runs are listed under the timer's name in the cron status.
JOB = DurableJob(name=CLEANUP.name, orchestrator="cleanup_orchestrator", begin="cleanup_begin", finish="cleanup_finish")
ORCHESTRATOR = JOB.orchestrator
# Session batches run this many activities at a time; progress is reported after each wave.
WAVE = 4


def policy_from_settings(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(
        session_days=settings.retention_session_days,
        day_snapshot_days=settings.retention_day_snapshot_days,
        week_snapshot_days=settings.retention_week_snapshot_days,
        month_snapshot_days=settings.retention_month_snapshot_days,
        inactive_user_days=settings.retention_inactive_user_days,
        job_runs_days=settings.retention_job_runs_days,
        webhook_deliveries_days=settings.retention_webhook_deliveries_days,
    )


def cleanup_input(*, now: datetime, trigger: str, dry_run: bool, settings: Settings) -> dict[str, Any]:
    """The orchestration input: plain JSON, everything the activities need, fixed at start."""
    return {
        "now": now.isoformat(),
        "trigger": trigger,
        "dryRun": dry_run,
        "batchSize": settings.cleanup_batch_size,
        "cutoffs": cutoffs(policy_from_settings(settings), now).to_json(),
    }


async def start_cleanup(
    client: df.DurableOrchestrationClient,
    *,
    now: datetime,
    week_key: str,
    trigger: str,
    dry_run: bool,
    settings: Settings,
) -> tuple[str, str, bool]:
    """Start this week's cleanup unless it exists: (instance id, runtime status, whether it started now)."""
    return await durable_job.start_once(
        client,
        JOB,
        instance_id=cleanup_instance_id(week_key, dry_run=dry_run),
        client_input=cleanup_input(now=now, trigger=trigger, dry_run=dry_run, settings=settings),
    )


@bp.timer_trigger(schedule=CLEANUP.schedule, arg_name="timer", run_on_startup=False)
@bp.durable_client_input(client_name="client")
async def weekly_cleanup(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    now, settings = datetime.now(UTC), config.settings()
    # The week of the occurrence this run stands for: a late run on Monday still counts for Sunday's week.
    week_key = iso_week_key(latest_occurrence(settings.cleanup_schedule, now))
    trigger = timer_trigger_name(timer)
    instance_id, status, started = await start_cleanup(
        client, now=now, week_key=week_key, trigger=trigger, dry_run=settings.cleanup_dry_run, settings=settings
    )
    if started:
        logger.info("weekly cleanup %s started (%s)", instance_id, trigger)
    else:
        logger.info("weekly cleanup %s already exists (%s); nothing started", instance_id, status)


def _progress(stage: str, done: int, total: int, sessions: dict[str, int]) -> Progress:
    return Progress({"stage": stage, "batchesDone": done, "batchesTotal": total, "codingSessions": dict(sessions)})


def cleanup_steps(job: dict[str, Any], *, instance_id: str) -> Steps[dict[str, Any]]:
    """The cleanup orchestration as plain steps: plan, sessions in waves, snapshots, users, job runs, webhook log."""
    user_batches: list[list[str]] = []  # filled by the plan, read again by the last progress report
    sessions = {"aggregated": 0, "deleted": 0, "unsummed": 0}

    def clean() -> Steps[dict[str, Any]]:
        user_batches.extend((yield Call("cleanup_plan", job)))
        total = len(user_batches)
        yield _progress("sessions", 0, total, sessions)
        for start in range(0, total, WAVE):
            wave = user_batches[start : start + WAVE]
            counts = yield CallAll([Call("cleanup_sessions", {**job, "userIds": user_ids}) for user_ids in wave])
            for count in counts:
                for key in sessions:
                    sessions[key] += count[key]
            yield _progress("sessions", start + len(wave), total, sessions)
        yield _progress("snapshots", total, total, sessions)
        deleted = yield CallAll([Call("cleanup_snapshots", {**job, "timeframe": tf}) for tf in PRUNED_TIMEFRAMES])
        yield _progress("users", total, total, sessions)
        archived = yield Call("cleanup_users", job)
        yield _progress("jobRuns", total, total, sessions)
        job_runs_deleted = yield Call("cleanup_job_runs", job)
        yield _progress("webhooks", total, total, sessions)
        webhook_log = yield Call("cleanup_webhook_log", job)
        return {
            "dryRun": job["dryRun"],
            "cutoffs": job["cutoffs"],
            "codingSessions": sessions,
            "leaderboardSnapshots": {
                "deletedCount": sum(deleted),
                "byTimeframe": dict(zip(PRUNED_TIMEFRAMES, deleted, strict=True)),
            },
            "inactiveUsers": {"archivedCount": archived},
            "jobRuns": {"deletedCount": job_runs_deleted},
            "webhookLog": webhook_log,
        }

    begin = {"instanceId": instance_id, "trigger": job["trigger"], "startedAt": job["now"]}
    result = yield from durable_job.recorded(JOB, begin, clean())
    yield _progress("done", len(user_batches), len(user_batches), sessions)
    return result


@bp.orchestration_trigger(context_name="context")
def cleanup_orchestrator(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    return (yield from durable_job.drive(context, cleanup_steps(context.get_input(), instance_id=context.instance_id)))


@bp.activity_trigger(input_name="run")
def cleanup_begin(run: dict[str, Any]) -> str:
    return durable_job.begin_run(run, job=JOB, trigger=run["trigger"])


@bp.activity_trigger(input_name="job")
def cleanup_plan(job: dict[str, Any]) -> list[list[str]]:
    cutoff = Cutoffs.from_json(job["cutoffs"]).sessions
    return retention.plan_cleanup(get_job_db(), cutoff=cutoff, batch_size=job["batchSize"])


@bp.activity_trigger(input_name="job")
def cleanup_sessions(job: dict[str, Any]) -> dict[str, int]:
    cutoff = Cutoffs.from_json(job["cutoffs"]).sessions
    return retention.clean_sessions(get_job_db(), user_ids=job["userIds"], cutoff=cutoff, dry_run=job["dryRun"])


@bp.activity_trigger(input_name="job")
def cleanup_snapshots(job: dict[str, Any]) -> int:
    cutoff = Cutoffs.from_json(job["cutoffs"]).snapshots[job["timeframe"]]
    return retention.clean_snapshots(get_job_db(), timeframe=job["timeframe"], cutoff=cutoff, dry_run=job["dryRun"])


@bp.activity_trigger(input_name="job")
def cleanup_users(job: dict[str, Any]) -> int:
    return retention.archive_inactive_users(
        get_job_db(),
        cutoff=Cutoffs.from_json(job["cutoffs"]).inactive_users,
        now=datetime.fromisoformat(job["now"]),
        dry_run=job["dryRun"],
        settings=config.settings(),
    )


@bp.activity_trigger(input_name="job")
def cleanup_job_runs(job: dict[str, Any]) -> int:
    cutoff = Cutoffs.from_json(job["cutoffs"]).job_runs
    return retention.clean_job_runs(get_job_db(), cutoff=cutoff, dry_run=job["dryRun"])


@bp.activity_trigger(input_name="job")
def cleanup_webhook_log(job: dict[str, Any]) -> dict[str, int]:
    cutoff = Cutoffs.from_json(job["cutoffs"]).webhook_deliveries
    return retention.clean_webhook_log(get_job_db(), cutoff=cutoff, dry_run=job["dryRun"])


@bp.activity_trigger(input_name="run")
def cleanup_finish(run: dict[str, Any]) -> None:
    durable_job.finish_run(run)
