"""The last-24-hours sweeper: every minute, the rolling board loses the time that left the window."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking.jobs.triggers import timer_trigger_name
from tracking.services import ingest
from tracking.services.jobruns import run_job
from tracking.store.client import get_job_db
from tracking.timers import ROLLING_SWEEP

bp = func.Blueprint()


@bp.function_name(ROLLING_SWEEP.name)
@bp.timer_trigger(schedule=ROLLING_SWEEP.schedule, arg_name="timer", run_on_startup=False, use_monitor=False)
def rolling_board_sweeper(timer: func.TimerRequest) -> None:
    db, now = get_job_db(), datetime.now(UTC)
    run_job(
        db,
        name=ROLLING_SWEEP.name,
        trigger=timer_trigger_name(timer),
        work=lambda: {"usersUpdated": ingest.sweep_rolling_board(db, now=now)},
    )
