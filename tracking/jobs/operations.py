"""Operations jobs: Monday database statistics, the hourly health check, the cron status, manual job runs.

Both timers only read (and record their run), so a double or late run does no harm. The same
functions answer the admin routes, so a route and its timer report the same thing.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import azure.functions as func
from pymongo.database import Database

from tracking import config
from tracking.domain.operations import (
    SLOW_QUERY_MS,
    snapshot_overdue,
    snapshot_recency,
    statistics_periods,
    storage_warning,
)
from tracking.domain.periods import Timeframe
from tracking.domain.retention import next_occurrence
from tracking.errors import Conflict
from tracking.store import jobruns, snapshots
from tracking.store import operations as ops
from tracking.store.client import get_db

logger = logging.getLogger(__name__)

bp = func.Blueprint()

STATS_JOB = "database_stats"
HEALTH_JOB = "health_check"
SNAPSHOT_JOB = "leaderboard_snapshots"  # the snapshot timer (tracking.jobs.leaderboards)
MANUAL_SNAPSHOT_JOB = "manual_snapshots"
SNAPSHOT_TIMEFRAMES: tuple[Timeframe, ...] = ("day", "week", "month", "allTime")

_SETTING_REFERENCE = re.compile(r"^%([A-Za-z0-9_]+)%$")


def timer_trigger_name(timer: func.TimerRequest) -> str:
    return "timer-late" if timer.past_due else "timer"


# Statistics


def database_statistics(db: Database[Any]) -> dict[str, Any]:
    """Collection counts, the first and last session, and the estimated size (GET /api/admin/stats)."""
    size = ops.size_in_bytes(db)
    return {
        "codingSessions": ops.count_documents(db, ops.SESSIONS),
        "leaderboardSnapshots": ops.count_documents(db, ops.SNAPSHOTS),
        "users": ops.count_documents(db, ops.USERS),
        "archivedUsers": ops.count_documents(db, ops.USERS, {"archived": True}),
        "oldestSession": ops.find_edge_session(db, newest=False),
        "newestSession": ops.find_edge_session(db, newest=True),
        "estimatedStorageKB": round(size / 1024, 1),
        "warning": storage_warning(size, config.settings().storage_warn_mb),
    }


def collect_database_statistics() -> dict[str, Any]:
    stats = database_statistics(get_db())
    if stats["warning"]:
        logger.warning("database statistics: %s", stats["warning"])
    return stats


@bp.timer_trigger(schedule="%STATS_SCHEDULE%", arg_name="timer", run_on_startup=False)
def database_stats(timer: func.TimerRequest) -> None:
    jobruns.run_job(STATS_JOB, timer_trigger_name(timer), collect_database_statistics)


def system_statistics(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    """Users, sessions this UTC day/week/month and snapshots per timeframe (GET /api/admin/system/stats)."""
    periods = statistics_periods(now.astimezone(UTC))
    by_timeframe = ops.count_snapshots_by_timeframe(db, SNAPSHOT_TIMEFRAMES)
    return {
        "timestamp": now,
        "users": {
            "total": ops.count_documents(db, ops.USERS),
            "withSessions": ops.count_documents(db, ops.USERS, {"lastSessionDate": {"$ne": None}}),
        },
        "sessions": {
            "total": ops.count_documents(db, ops.SESSIONS),
            **{name: ops.count_sessions_ended_since(db, start) for name, start in periods.items()},
        },
        "snapshots": {"total": ops.count_documents(db, ops.SNAPSHOTS), "byTimeframe": by_timeframe},
    }


# Health


def latest_snapshot_times(db: Database[Any]) -> dict[str, datetime]:
    return {timeframe: run["timestamp"] for timeframe, run in snapshots.find_latest_runs(db).items()}


def snapshot_health(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    """GET /api/admin/snapshot/health: whether each timeframe has a recent snapshot."""
    return {"success": True, "timestamp": now, "healthStatus": snapshot_recency(latest_snapshot_times(db), now)}


def system_health(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    """Overdue snapshots, database counts and query time, orphaned snapshots, failed last job runs.

    ``errors`` (overdue snapshots, a job whose last run failed) make ``success`` false; ``warnings``
    (a snapshot never taken yet, orphaned snapshot rows, slow queries) do not.
    """
    checks: dict[str, Any] = {}
    warnings: list[str] = []
    errors: list[str] = []
    for timeframe, check in snapshot_overdue(latest_snapshot_times(db), now).items():
        checks[f"{timeframe}_snapshot"] = check
        if check["status"] == "overdue":
            errors.append(f"The {timeframe} snapshot is overdue: the last one is {check['hoursSince']} hours old")
        elif check["status"] == "missing":
            warnings.append(f"No {timeframe} snapshot has been taken yet")

    started = time.perf_counter()
    counts = {name: ops.count_documents(db, collection) for name, collection in _COUNTED.items()}
    query_ms = round((time.perf_counter() - started) * 1000, 1)
    checks["database"] = {"status": "healthy", **counts}
    checks["performance"] = {
        "status": "healthy" if query_ms <= SLOW_QUERY_MS else "slow",
        "queryTime": query_ms,
        "unit": "ms",
    }
    if query_ms > SLOW_QUERY_MS:
        warnings.append(f"Counting the collections took {query_ms} ms")

    orphaned = ops.count_orphaned_snapshots(db)
    checks["dataConsistency"] = {"status": "healthy" if orphaned == 0 else "warning", "orphanedSnapshots": orphaned}
    if orphaned:
        warnings.append(f"{orphaned} snapshot rows belong to no user")

    for job in scheduled_jobs():
        last = jobruns.find_last_run_by_name(db, job.name)
        if last is not None and last["status"] == jobruns.FAILED:
            errors.append(f"The last run of {job.name} failed: {last.get('error')}")
    return {"success": not errors, "timestamp": now, "checks": checks, "warnings": warnings, "errors": errors}


_COUNTED = {"users": ops.USERS, "sessions": ops.SESSIONS, "snapshots": ops.SNAPSHOTS}


def check_health() -> dict[str, Any]:
    report = system_health(get_db(), now=datetime.now(UTC))
    for problem in report["errors"]:
        logger.error("health check: %s", problem)
    for problem in report["warnings"]:
        logger.warning("health check: %s", problem)
    return report


@bp.timer_trigger(schedule="%HEALTH_CHECK_SCHEDULE%", arg_name="timer", run_on_startup=False)
def health_check(timer: func.TimerRequest) -> None:
    jobruns.run_job(HEALTH_JOB, timer_trigger_name(timer), check_health)


# Cron status


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    schedule: str  # as declared: an expression or a %SETTING% reference


@functools.cache
def scheduled_jobs() -> tuple[ScheduledJob, ...]:
    """Every timer function of the app: a new timer is listed without being registered here."""
    from tracking.blueprints import BLUEPRINTS  # the blueprints import this module

    probe = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for blueprint in BLUEPRINTS:
        probe.register_functions(blueprint)
    jobs = []
    for function in probe.get_functions():
        trigger = function.get_trigger()
        if trigger is not None and trigger.type == "timerTrigger":
            jobs.append(ScheduledJob(str(function.get_function_name()), getattr(trigger, "schedule", "")))
    return tuple(jobs)


def resolve_schedule(schedule: str) -> tuple[str | None, str | None]:
    """(setting name, expression) of a declared schedule; the expression is None when the setting is bad."""
    reference = _SETTING_REFERENCE.match(schedule)
    if reference is None:
        return None, schedule
    setting = config.find_setting(reference.group(1))
    if setting is None:
        return reference.group(1), None
    try:
        return setting.name, setting.parse_from(config.settings().environ)
    except config.SettingError:
        return setting.name, None


def _run_summary(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    fields = ("trigger", "startedAt", "finishedAt", "status", "error", "instanceId")
    return {field: run.get(field) for field in fields}


def cron_status(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    """Each timer: its schedule, last run, last status and next run; a job that never ran has nulls."""
    jobs = []
    for job in scheduled_jobs():
        setting, expression = resolve_schedule(job.schedule)
        last = jobruns.find_last_run_by_name(db, job.name)
        jobs.append(
            {
                "name": job.name,
                "schedule": expression,
                "scheduleSetting": setting,
                "running": last is not None and last["status"] == jobruns.RUNNING,
                "lastRun": _run_summary(last),
                "lastStatus": last["status"] if last else None,
                "nextRun": next_occurrence(expression, now) if expression else None,
            }
        )
    return {"success": True, "timestamp": now, "cronJobs": {"totalJobs": len(jobs), "jobs": jobs}}


# Manual runs


def take_snapshots_now(timeframes: tuple[Timeframe, ...]) -> dict[str, Any]:
    """Snapshot the current period of each timeframe; one that already has a snapshot is reported, not retaken."""
    db, now, zone = get_db(), datetime.now(UTC), config.settings().board_timezone
    results: dict[str, Any] = {}
    for timeframe in timeframes:
        try:
            taken = snapshots.take_snapshot(db, timeframe=timeframe, now=now, zone=zone)
        except Conflict as conflict:
            results[timeframe] = {"success": False, "message": conflict.message}
            continue
        results[timeframe] = {"success": True, "periodKey": taken.period_key, "count": taken.count}
    return {"success": all(result["success"] for result in results.values()), "timestamp": now, "results": results}


def take_due_snapshots() -> dict[str, Any]:
    now = datetime.now(UTC)
    taken = snapshots.take_due_snapshots(get_db(), now=now, zone=config.settings().board_timezone)
    return {
        "success": True,
        "timestamp": now,
        "taken": [{"timeframe": s.timeframe, "periodKey": s.period_key, "count": s.count} for s in taken],
    }


@dataclass(frozen=True)
class JobType:
    job_name: str  # the name its runs are recorded under
    run: Callable[[], dict[str, Any]]


# The jobs POST /api/admin/jobs/{jobType} may run: a fixed list, never a function name from the URL.
JOB_TYPES: dict[str, JobType] = {
    "daily": JobType(MANUAL_SNAPSHOT_JOB, lambda: take_snapshots_now(("day", "allTime"))),
    "weekly": JobType(MANUAL_SNAPSHOT_JOB, lambda: take_snapshots_now(("week",))),
    "monthly": JobType(MANUAL_SNAPSHOT_JOB, lambda: take_snapshots_now(("month",))),
    "snapshots": JobType(SNAPSHOT_JOB, take_due_snapshots),
    "stats": JobType(STATS_JOB, collect_database_statistics),
    "health-check": JobType(HEALTH_JOB, check_health),
}


def run_job_type(job_type: str) -> dict[str, Any]:
    job = JOB_TYPES[job_type]
    return jobruns.run_job(job.job_name, "admin", job.run)


def trigger_snapshots(timeframe: Timeframe | None) -> dict[str, Any]:
    """POST /api/admin/snapshot/trigger: one timeframe, or all four when none is given."""
    timeframes = (timeframe,) if timeframe else SNAPSHOT_TIMEFRAMES
    return jobruns.run_job(MANUAL_SNAPSHOT_JOB, "admin", lambda: take_snapshots_now(timeframes))
