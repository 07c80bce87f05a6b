"""Leaderboard timers: snapshots at each period's close, and the last-24-hours sweeper."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.store import boards, snapshots
from tracking.store.client import get_db

bp = func.Blueprint()
logger = logging.getLogger(__name__)


@bp.function_name("leaderboard_snapshots")
@bp.timer_trigger(schedule="%SNAPSHOT_SCHEDULE%", arg_name="timer", run_on_startup=False, use_monitor=True)
def leaderboard_snapshots(timer: func.TimerRequest) -> None:
    taken = snapshots.take_due_snapshots(get_db(), now=datetime.now(UTC), zone=config.BOARD_TIMEZONE.read())
    logger.info("snapshots taken: %s", [(s.timeframe, s.period_key, s.count) for s in taken])


@bp.function_name("rolling_board_sweeper")
@bp.timer_trigger(schedule="%ROLLING_SWEEP_SCHEDULE%", arg_name="timer", run_on_startup=False, use_monitor=False)
def rolling_board_sweeper(timer: func.TimerRequest) -> None:
    updated = boards.sweep_rolling_board(get_db(), now=datetime.now(UTC))
    logger.info("rolling board: %d users updated", updated)
