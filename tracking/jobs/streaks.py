"""The hourly streak decay: a streak not extended today or yesterday (the user's local days) is set to 0.

Reads already decay (GET /api/streak), but the Discord bot reads ``users.currentStreak`` directly,
so the stored value must decay too. Local days change at every hour (and half hour) somewhere, so
this runs hourly; the run is recorded in ``jobruns``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import azure.functions as func

from tracking.services import progress
from tracking.store import jobruns
from tracking.store.client import get_db

bp = func.Blueprint()
logger = logging.getLogger(__name__)

JOB_NAME = "streak_decay"


@bp.function_name(JOB_NAME)
@bp.timer_trigger(schedule="%STREAK_DECAY_SCHEDULE%", arg_name="timer", run_on_startup=False, use_monitor=True)
def streak_decay(timer: func.TimerRequest) -> None:
    result = jobruns.run_job(
        JOB_NAME, "timer", lambda: {"decayed": progress.decay_streaks(get_db(), now=datetime.now(UTC))}
    )
    logger.info("streak decay: %d streaks set to 0", result["decayed"])
