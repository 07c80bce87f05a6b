"""The hourly streak decay: a streak not extended today or yesterday (the user's local days) is set to 0.

Reads already decay (GET /api/streak), but the Discord bot reads ``users.currentStreak`` directly,
so the stored value must decay too. Local days change at every hour (and half hour) somewhere, so
this runs hourly; the run is recorded in ``jobruns``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import azure.functions as func

from tracking.jobs.triggers import timer_trigger_name
from tracking.services import progress
from tracking.services.jobruns import run_job
from tracking.store.client import get_job_db
from tracking.timers import STREAK_DECAY

bp = func.Blueprint()
logger = logging.getLogger(__name__)


@bp.function_name(STREAK_DECAY.name)
@bp.timer_trigger(schedule=STREAK_DECAY.schedule, arg_name="timer", run_on_startup=False, use_monitor=True)
def streak_decay(timer: func.TimerRequest) -> None:
    db, now = get_job_db(), datetime.now(UTC)
    result = run_job(
        db,
        name=STREAK_DECAY.name,
        trigger=timer_trigger_name(timer),
        work=lambda: {"decayed": progress.decay_streaks(db, now=now)},
    )
    logger.info("streak decay: %d streaks set to 0", result["decayed"])
