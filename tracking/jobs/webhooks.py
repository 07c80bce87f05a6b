"""The webhook delivery timer: every few seconds, fan new events out and send the deliveries that are due.

It also sends the ``board.closed`` digests of subscriptions with a ``schedule`` when their time comes
(each such delivery is due at its subscription's next scheduled time). A run that found nothing to do
is not recorded in ``jobruns``; a run that did something, or failed, is.
"""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.jobs.triggers import timer_trigger_name
from tracking.services.jobruns import run_frequent_job
from tracking.services.webhook_delivery import deliver_due
from tracking.store.client import get_job_db
from tracking.timers import WEBHOOK_DELIVERY

bp = func.Blueprint()


@bp.function_name(WEBHOOK_DELIVERY.name)
@bp.timer_trigger(schedule=WEBHOOK_DELIVERY.schedule, arg_name="timer", run_on_startup=False, use_monitor=False)
def webhook_delivery(timer: func.TimerRequest) -> None:
    db, now, settings = get_job_db(), datetime.now(UTC), config.settings()
    run_frequent_job(
        db,
        name=WEBHOOK_DELIVERY.name,
        trigger=timer_trigger_name(timer),
        work=lambda: deliver_due(db, now=now, settings=settings),
        did_work=lambda counts: counts["eventsFannedOut"] > 0 or counts["attempted"] > 0,
    )
