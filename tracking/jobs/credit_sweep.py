"""The credit sweep: every 10 minutes, credit what a failed request stored and left uncredited.

A request that dies between storing its session and crediting it leaves the session behind, and a
writer that dies holding a user's claim leaves the claim; the client's retry repairs the first, the
next session of the user the second. This sweep does both for the sessions nobody retried: it looks
at the sessions stored since its last successful run (with a margin) and at the expired claims.
"""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.jobs.triggers import timer_trigger_name
from tracking.services.ingest import sweep_uncredited_since_last_run
from tracking.services.jobruns import run_job
from tracking.store.client import get_job_db
from tracking.timers import CREDIT_SWEEP

bp = func.Blueprint()


@bp.function_name(CREDIT_SWEEP.name)
@bp.timer_trigger(schedule=CREDIT_SWEEP.schedule, arg_name="timer", run_on_startup=False, use_monitor=True)
def credit_sweep(timer: func.TimerRequest) -> None:
    db, now, settings = get_job_db(), datetime.now(UTC), config.settings()
    run_job(
        db,
        name=CREDIT_SWEEP.name,
        trigger=timer_trigger_name(timer),
        work=lambda: sweep_uncredited_since_last_run(db, job_name=CREDIT_SWEEP.name, now=now, settings=settings),
    )
