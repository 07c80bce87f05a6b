"""Recording job runs: a timer's or an admin route's run of a job, and the start and finish of an orchestration's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pymongo.database import Database

from tracking.store import jobruns

T = TypeVar("T")

# Longer than any job runs (the weekly cleanup included): a run still "running" after this has died, and the
# job's next run marks it failed, so the cron status and the health check stop reporting it as running.
JOB_RUN_LEASE = timedelta(hours=6)


def run_job(db: Database[Any], *, name: str, trigger: str, work: Callable[[], T]) -> T:
    """Run ``work`` as job ``name``, recording start, finish, status and result or error; errors re-raise.

    ``work`` returns plain JSON-like data (it is stored as the run's ``result``). Jobs never swallow
    errors: a failure is recorded, then raised to the timer or route.
    """
    started_at = datetime.now(UTC)
    jobruns.abandon_runs_by_name_before(db, name=name, started_before=started_at - JOB_RUN_LEASE, now=started_at)
    run_id = jobruns.start_run(db, name=name, trigger=trigger, started_at=started_at)
    try:
        result = work()
    except Exception as error:
        jobruns.finish_run(
            db, run_id, finished_at=datetime.now(UTC), status=jobruns.FAILED, error=f"{type(error).__name__}: {error}"
        )
        raise
    jobruns.finish_run(db, run_id, finished_at=datetime.now(UTC), status=jobruns.SUCCEEDED, result=result)
    return result


def run_frequent_job(
    db: Database[Any], *, name: str, trigger: str, work: Callable[[], T], did_work: Callable[[T], bool]
) -> T:
    """``run_job`` for a job that runs every few seconds: only a run that did work, or failed, is recorded.

    Recording every run would write thousands of job runs a day that say nothing.
    """
    started_at = datetime.now(UTC)
    try:
        result = work()
    except Exception as error:
        run_id = jobruns.start_run(db, name=name, trigger=trigger, started_at=started_at)
        jobruns.finish_run(
            db, run_id, finished_at=datetime.now(UTC), status=jobruns.FAILED, error=f"{type(error).__name__}: {error}"
        )
        raise
    if did_work(result):
        run_id = jobruns.start_run(db, name=name, trigger=trigger, started_at=started_at)
        jobruns.finish_run(db, run_id, finished_at=datetime.now(UTC), status=jobruns.SUCCEEDED, result=result)
    return result


def begin_orchestration_run(
    db: Database[Any], *, name: str, trigger: str, instance_id: str, started_at: datetime
) -> str:
    """The run of one Durable instance; a replayed or retried begin finds the same run."""
    jobruns.abandon_runs_by_name_before(db, name=name, started_before=started_at - JOB_RUN_LEASE, now=started_at)
    return jobruns.start_run(db, name=name, trigger=trigger, started_at=started_at, instance_id=instance_id)


def finish_orchestration_run(
    db: Database[Any], *, run_id: str, status: str, result: Any, error: str | None, now: datetime
) -> None:
    jobruns.finish_run(db, run_id, finished_at=now, status=status, result=result, error=error)
