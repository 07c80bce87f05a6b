"""The snapshot timer: the leaderboard snapshots owed at each period's close, recorded in jobruns.

It runs the same job as ``POST /api/admin/jobs/snapshots``; a repeated or late run takes only what
is missing (tracking.services.snapshots.take_due_snapshots).
"""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.jobs.triggers import timer_trigger_name
from tracking.services import reports
from tracking.store.client import get_job_db
from tracking.timers import SNAPSHOTS

bp = func.Blueprint()


@bp.function_name(SNAPSHOTS.name)
@bp.timer_trigger(schedule=SNAPSHOTS.schedule, arg_name="timer", run_on_startup=False, use_monitor=True)
def leaderboard_snapshots(timer: func.TimerRequest) -> None:
    reports.run_job_type(
        get_job_db(), "snapshots", trigger=timer_trigger_name(timer), now=datetime.now(UTC), settings=config.settings()
    )
