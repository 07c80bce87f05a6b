"""Leaderboard timers: snapshots at each period's close, and the last-24-hours sweeper; both recorded in jobruns."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking.jobs import operations
from tracking.services import ingest
from tracking.store import jobruns
from tracking.store.client import get_db

bp = func.Blueprint()

ROLLING_SWEEP_JOB = "rolling_board_sweeper"


@bp.function_name(operations.SNAPSHOT_JOB)
@bp.timer_trigger(schedule="%SNAPSHOT_SCHEDULE%", arg_name="timer", run_on_startup=False, use_monitor=True)
def leaderboard_snapshots(timer: func.TimerRequest) -> None:
    jobruns.run_job(operations.SNAPSHOT_JOB, operations.timer_trigger_name(timer), operations.take_due_snapshots)


def sweep_rolling_board() -> dict[str, int]:
    return {"usersUpdated": ingest.sweep_rolling_board(get_db(), now=datetime.now(UTC))}


@bp.function_name(ROLLING_SWEEP_JOB)
@bp.timer_trigger(schedule="%ROLLING_SWEEP_SCHEDULE%", arg_name="timer", run_on_startup=False, use_monitor=False)
def rolling_board_sweeper(timer: func.TimerRequest) -> None:
    jobruns.run_job(ROLLING_SWEEP_JOB, operations.timer_trigger_name(timer), sweep_rolling_board)
