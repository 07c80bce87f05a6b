"""The Monday database statistics and the hourly health check, both recorded in jobruns.

Both only read (and record their run), so a double or late run does no harm. They run the same job
as ``POST /api/admin/jobs/stats`` and ``/health-check`` (tracking.services.reports).
"""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.jobs.triggers import timer_trigger_name
from tracking.services import reports
from tracking.store.client import get_job_db
from tracking.timers import HEALTH_CHECK, STATS

bp = func.Blueprint()


@bp.function_name(STATS.name)
@bp.timer_trigger(schedule=STATS.schedule, arg_name="timer", run_on_startup=False)
def database_stats(timer: func.TimerRequest) -> None:
    reports.run_job_type(
        get_job_db(), "stats", trigger=timer_trigger_name(timer), now=datetime.now(UTC), settings=config.settings()
    )


@bp.function_name(HEALTH_CHECK.name)
@bp.timer_trigger(schedule=HEALTH_CHECK.schedule, arg_name="timer", run_on_startup=False)
def health_check(timer: func.TimerRequest) -> None:
    reports.run_job_type(
        get_job_db(),
        "health-check",
        trigger=timer_trigger_name(timer),
        now=datetime.now(UTC),
        settings=config.settings(),
    )
