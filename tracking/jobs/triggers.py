"""What a job run records as its trigger when a timer starts it."""

from __future__ import annotations

import azure.functions as func


def timer_trigger_name(timer: func.TimerRequest) -> str:
    """``timer``, or ``timer-late`` for a run the host fires after its schedule (missed while down)."""
    return "timer-late" if timer.past_due else "timer"
