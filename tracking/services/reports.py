"""The admin reports and manual job runs: database and system statistics, snapshot and system health, cron status.

The statistics and health-check timers run the same functions as the admin routes (through
``run_job_type``), so a route and its timer report the same thing. Everything here only reads,
except the job runs it records and the snapshots a manual run takes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.database import Database

from tracking import config
from tracking.config import Settings
from tracking.domain.periods import MANUAL_SNAPSHOT_TIMEFRAMES, TIMEFRAMES, Timeframe
from tracking.domain.reports import (
    SLOW_QUERY_MS,
    snapshot_overdue,
    snapshot_recency,
    statistics_periods,
    storage_warning,
)
from tracking.domain.retention import next_occurrence
from tracking.services import jobruns as job_runs
from tracking.services import snapshots as snapshot_service
from tracking.store import client, jobruns, sessions, snapshotruns, snapshots, users
from tracking.timers import HEALTH_CHECK, SNAPSHOTS, STATS, TIMERS

logger = logging.getLogger(__name__)

MANUAL_SNAPSHOT_JOB = "manual_snapshots"
# The timeframes the statistics count and a manual snapshot run takes (the rolling board is left out).

# Statistics


def database_latency_ms() -> float | None:
    """Round-trip time of a ping in milliseconds; None when the database cannot be reached."""
    try:
        return round(client.ping(), 2)
    except Exception:  # any failure to reach the database is the "down" answer of the health route, not a 500
        return None


def database_statistics(db: Database[Any], *, storage_warn_mb: int) -> dict[str, Any]:
    """Collection counts, the first and last session, and the estimated size (GET /api/admin/stats)."""
    size = client.size_in_bytes(db)
    return {
        "codingSessions": sessions.count_sessions(db),
        "leaderboardSnapshots": snapshots.count_rows(db),
        "users": users.count_users(db),
        "archivedUsers": users.count_archived_users(db),
        "oldestSession": sessions.find_edge_session(db, newest=False),
        "newestSession": sessions.find_edge_session(db, newest=True),
        "estimatedStorageKB": round(size / 1024, 1),
        "warning": storage_warning(size, storage_warn_mb),
    }


def _collect_database_statistics(db: Database[Any], *, storage_warn_mb: int) -> dict[str, Any]:
    stats = database_statistics(db, storage_warn_mb=storage_warn_mb)
    if stats["warning"]:
        logger.warning("database statistics: %s", stats["warning"])
    return stats


def system_statistics(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    """GET /api/admin/system/stats: users, sessions this UTC day/week/month and snapshots per timeframe."""
    periods = statistics_periods(now.astimezone(UTC))
    stats = {
        "timestamp": now,
        "users": {"total": users.count_users(db), "withSessions": users.count_users_with_sessions(db)},
        "sessions": {
            "total": sessions.count_sessions(db),
            **{name: sessions.count_sessions_ended_since(db, start) for name, start in periods.items()},
        },
        "snapshots": {
            "total": snapshots.count_rows(db),
            "byTimeframe": snapshots.count_rows_by_timeframe(db, MANUAL_SNAPSHOT_TIMEFRAMES),
        },
    }
    return {"success": True, "stats": stats}


def recent_sessions(db: Database[Any], *, limit: int) -> dict[str, Any]:
    """GET /api/admin/sessions/recent: the sessions recorded last, newest first."""
    found = sessions.find_recent_sessions(db, limit=limit)
    return {"success": True, "sessions": found, "count": len(found)}


# Health


def _latest_snapshot_times(db: Database[Any]) -> dict[str, datetime]:
    latest = snapshotruns.find_latest_complete_run_by_timeframe(db, TIMEFRAMES)
    return {timeframe: run.timestamp for timeframe, run in latest.items()}


def snapshot_health(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    """GET /api/admin/snapshot/health: whether each timeframe has a recent snapshot."""
    return {"success": True, "timestamp": now, "healthStatus": snapshot_recency(_latest_snapshot_times(db), now)}


def _count_orphaned_snapshots(db: Database[Any]) -> int:
    """Snapshot rows whose user has no ``users`` document (no ``$lookup``: two ``distinct`` and a count)."""
    return snapshots.count_rows_by_users(db, snapshots.find_user_ids(db) - users.find_user_ids(db))


def system_health(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    """Overdue snapshots, database counts and query time, orphaned snapshots, failed last job runs.

    ``errors`` (overdue snapshots, a timer whose last run failed) make ``success`` false; ``warnings``
    (a snapshot never taken yet, orphaned snapshot rows, slow queries) do not.
    """
    checks: dict[str, Any] = {}
    warnings: list[str] = []
    errors: list[str] = []
    for timeframe, check in snapshot_overdue(_latest_snapshot_times(db), now).items():
        checks[f"{timeframe}_snapshot"] = check
        if check["status"] == "overdue":
            errors.append(f"The {timeframe} snapshot is overdue: the last one is {check['hoursSince']} hours old")
        elif check["status"] == "missing":
            warnings.append(f"No {timeframe} snapshot has been taken yet")

    started = time.perf_counter()
    counts = {
        "users": users.count_users(db),
        "sessions": sessions.count_sessions(db),
        "snapshots": snapshots.count_rows(db),
    }
    query_ms = round((time.perf_counter() - started) * 1000, 1)
    checks["database"] = {"status": "healthy", **counts}
    checks["performance"] = {
        "status": "healthy" if query_ms <= SLOW_QUERY_MS else "slow",
        "queryTime": query_ms,
        "unit": "ms",
    }
    if query_ms > SLOW_QUERY_MS:
        warnings.append(f"Counting the collections took {query_ms} ms")

    orphaned = _count_orphaned_snapshots(db)
    checks["dataConsistency"] = {"status": "healthy" if orphaned == 0 else "warning", "orphanedSnapshots": orphaned}
    if orphaned:
        warnings.append(f"{orphaned} snapshot rows belong to no user")

    for timer in TIMERS:
        last = jobruns.find_last_run_by_name(db, timer.name)
        if last is not None and last.status == jobruns.FAILED:
            errors.append(f"The last run of {timer.name} failed: {last.error}")
    return {"success": not errors, "timestamp": now, "checks": checks, "warnings": warnings, "errors": errors}


def _check_health(db: Database[Any], *, now: datetime) -> dict[str, Any]:
    report = system_health(db, now=now)
    for problem in report["errors"]:
        logger.error("health check: %s", problem)
    for problem in report["warnings"]:
        logger.warning("health check: %s", problem)
    return report


# Cron status


def _run_summary(run: jobruns.JobRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "trigger": run.trigger,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
        "status": run.status,
        "error": run.error,
        "instanceId": run.instance_id,
    }


def cron_status(db: Database[Any], *, now: datetime, settings: Settings) -> dict[str, Any]:
    """GET /api/admin/cron/status: each timer's schedule, last run, last status and next run; nulls before a run."""
    jobs = []
    for timer in TIMERS:
        try:
            expression: str | None = timer.setting.parse_from(settings.environ)
        except config.SettingError:  # a bad schedule is shown as none, and the timer as never due
            expression = None
        last = jobruns.find_last_run_by_name(db, timer.name)
        jobs.append(
            {
                "name": timer.name,
                "schedule": expression,
                "scheduleSetting": timer.setting.name,
                "running": last is not None and last.status == jobruns.RUNNING,
                "lastRun": _run_summary(last),
                "lastStatus": last.status if last else None,
                "nextRun": next_occurrence(expression, now) if expression else None,
            }
        )
    return {"success": True, "timestamp": now, "cronJobs": {"totalJobs": len(jobs), "jobs": jobs}}


# Manual runs


def _take_snapshots_now(
    db: Database[Any], *, timeframes: tuple[Timeframe, ...], now: datetime, settings: Settings
) -> dict[str, Any]:
    outcomes = snapshot_service.take_current_snapshots(db, timeframes=timeframes, now=now, zone=settings.board_timezone)
    results: dict[str, Any] = {
        outcome.timeframe: (
            {"success": True, "periodKey": outcome.taken.period_key, "count": outcome.taken.count}
            if outcome.taken
            else {"success": False, "message": outcome.refused}
        )
        for outcome in outcomes
    }
    return {"success": all(result["success"] for result in results.values()), "timestamp": now, "results": results}


def _take_due_snapshots(db: Database[Any], *, now: datetime, settings: Settings) -> dict[str, Any]:
    taken = snapshot_service.take_due_snapshots(db, now=now, zone=settings.board_timezone)
    return {
        "success": True,
        "timestamp": now,
        "taken": [{"timeframe": s.timeframe, "periodKey": s.period_key, "count": s.count} for s in taken],
    }


Work = Callable[[Database[Any], datetime, Settings], dict[str, Any]]


@dataclass(frozen=True)
class JobType:
    job_name: str  # the name its runs are recorded under
    run: Work


def _snapshots_now(*timeframes: Timeframe) -> Work:
    return lambda db, now, settings: _take_snapshots_now(db, timeframes=timeframes, now=now, settings=settings)


# The jobs POST /api/admin/jobs/{jobType} may run: a fixed list, never a function name from the URL.
# The statistics, health-check and snapshot timers run their entry too.
JOB_TYPES: dict[str, JobType] = {
    "daily": JobType(MANUAL_SNAPSHOT_JOB, _snapshots_now("day", "allTime")),
    "weekly": JobType(MANUAL_SNAPSHOT_JOB, _snapshots_now("week")),
    "monthly": JobType(MANUAL_SNAPSHOT_JOB, _snapshots_now("month")),
    "snapshots": JobType(SNAPSHOTS.name, lambda db, now, settings: _take_due_snapshots(db, now=now, settings=settings)),
    "stats": JobType(
        STATS.name, lambda db, now, settings: _collect_database_statistics(db, storage_warn_mb=settings.storage_warn_mb)
    ),
    "health-check": JobType(HEALTH_CHECK.name, lambda db, now, settings: _check_health(db, now=now)),
}


def run_job_type(
    db: Database[Any], job_type: str, *, trigger: str, now: datetime, settings: Settings
) -> dict[str, Any]:
    """Run one of JOB_TYPES and record the run under its job name; a failure is recorded, then raised."""
    job = JOB_TYPES[job_type]
    return job_runs.run_job(db, name=job.job_name, trigger=trigger, work=lambda: job.run(db, now, settings))


def trigger_snapshots(
    db: Database[Any], *, timeframe: Timeframe | None, now: datetime, settings: Settings
) -> dict[str, Any]:
    """POST /api/admin/snapshot/trigger: one timeframe, or all four when none is given."""
    timeframes = (timeframe,) if timeframe else MANUAL_SNAPSHOT_TIMEFRAMES
    work = _snapshots_now(*timeframes)
    return job_runs.run_job(db, name=MANUAL_SNAPSHOT_JOB, trigger="admin", work=lambda: work(db, now, settings))
