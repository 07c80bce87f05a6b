"""Rebuild every user's board entries, a Durable orchestration started by POST /api/admin/boards/rebuild.

Boards are kept up to date when sessions land, so a user of the replaced server, whose time is only
in the user document (tracking.domain.legacy), has no entries until their next session; and a change
of BOARD_TIMEZONE moves the bounds of the current day, week and month. This job runs
``boards.rebuild_user_boards`` for every user: once after switching from the old server, and after
changing BOARD_TIMEZONE.

Each start uses one instance id per UTC day (``rebuild-boards-2026-11-29``) and asks for its status
first, so a second start the same day finds the running or finished instance. The orchestrator only
pages through the users by ``userId``, one activity per batch; the activities do the I/O. The run is
recorded in ``jobruns``.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df

from tracking import config
from tracking.services.ingest import relist_user
from tracking.store import jobruns, users
from tracking.store.client import get_db

bp = df.Blueprint()

JOB_NAME = "rebuild_boards"
ORCHESTRATOR = "rebuild_boards_orchestrator"
BATCH_SIZE = 200  # users per activity

# Statuses in which an instance counts as today's rebuild; a failed or terminated one may be restarted.
_FOUND = (
    df.OrchestrationRuntimeStatus.Pending,
    df.OrchestrationRuntimeStatus.Running,
    df.OrchestrationRuntimeStatus.ContinuedAsNew,
    df.OrchestrationRuntimeStatus.Completed,
)


def rebuild_instance_id(now: datetime) -> str:
    return f"rebuild-boards-{now.astimezone(UTC):%Y-%m-%d}"


async def start_rebuild(client: df.DurableOrchestrationClient, *, now: datetime) -> tuple[str, str, bool]:
    """Start today's rebuild unless it exists: (instance id, runtime status, whether it started now)."""
    instance_id = rebuild_instance_id(now)
    status = await client.get_status(instance_id)
    if status.runtime_status in _FOUND:
        assert status.runtime_status is not None
        return instance_id, status.runtime_status.value, False
    await client.start_new(ORCHESTRATOR, instance_id, None)
    return instance_id, df.OrchestrationRuntimeStatus.Pending.value, True


@bp.orchestration_trigger(context_name="context")
def rebuild_boards_orchestrator(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, int]]:
    run_id = yield context.call_activity(
        "rebuild_boards_begin",
        {"instanceId": context.instance_id, "startedAt": context.current_utc_datetime.isoformat()},
    )
    total = 0
    after = None
    try:
        while True:
            # The replayed clock of this episode: deterministic, and close to the time the batch runs.
            now = context.current_utc_datetime.isoformat()
            batch = yield context.call_activity(
                "rebuild_boards_batch", {"after": after, "size": BATCH_SIZE, "now": now}
            )
            total += batch["count"]
            context.set_custom_status({"users": total})
            after = batch["next"]
            if after is None:
                break
    except Exception as error:
        # Record the failure in the job run, then fail the orchestration with the same error.
        yield context.call_activity(
            "rebuild_boards_finish", {"runId": run_id, "status": jobruns.FAILED, "error": str(error), "result": None}
        )
        raise
    result = {"users": total}
    yield context.call_activity(
        "rebuild_boards_finish", {"runId": run_id, "status": jobruns.SUCCEEDED, "error": None, "result": result}
    )
    return result


@bp.activity_trigger(input_name="run")
def rebuild_boards_begin(run: dict[str, Any]) -> str:
    # Only the admin route starts it.
    return jobruns.start_orchestration_run(get_db(), name=JOB_NAME, trigger="admin", run=run)


@bp.activity_trigger(input_name="batch")
def rebuild_boards_batch(batch: dict[str, Any]) -> dict[str, Any]:
    """Rebuild the next ``size`` users after ``after``; ``next`` is None once the users run out."""
    db = get_db()
    now = datetime.fromisoformat(batch["now"])
    settings = config.settings()
    user_ids = users.find_user_ids_after(db, after=batch["after"], limit=batch["size"])
    for user_id in user_ids:
        relist_user(db, user_id=user_id, now=now, settings=settings)
    return {"next": user_ids[-1] if len(user_ids) == batch["size"] else None, "count": len(user_ids)}


@bp.activity_trigger(input_name="run")
def rebuild_boards_finish(run: dict[str, Any]) -> None:
    jobruns.finish_orchestration_run(get_db(), run)
