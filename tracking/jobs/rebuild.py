"""Rebuild every user's board entries, a Durable orchestration started by POST /api/admin/boards/rebuild.

Boards are kept up to date when sessions land, so a user of the replaced server, whose time is only
in the user document (tracking.domain.legacy), has no entries until their next session; and a change
of BOARD_TIMEZONE moves the bounds of the current day, week and month. This job relists every user
(tracking.services.ingest.relist_user): once after switching from the old server, and after changing
BOARD_TIMEZONE.

Each start uses one instance id per UTC day (``rebuild-boards-2026-11-29``) and asks for its status
first, so a second start the same day finds the running or finished instance. ``rebuild_steps`` only
pages through the users by ``userId``, one activity per batch; the activities do the I/O. The run is
recorded in ``jobruns``.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df

from tracking import config
from tracking.jobs import durable_job
from tracking.jobs.durable_job import Call, Clock, DurableJob, Progress, Steps
from tracking.services.rebuild import rebuild_boards_after
from tracking.store.client import get_job_db

bp = df.Blueprint()

JOB = DurableJob(
    name="rebuild_boards",
    orchestrator="rebuild_boards_orchestrator",
    begin="rebuild_boards_begin",
    finish="rebuild_boards_finish",
)
ORCHESTRATOR = JOB.orchestrator
BATCH_SIZE = 200  # users per activity


def rebuild_instance_id(now: datetime) -> str:
    return f"rebuild-boards-{now.astimezone(UTC):%Y-%m-%d}"


async def start_rebuild(client: df.DurableOrchestrationClient, *, now: datetime) -> tuple[str, str, bool]:
    """Start today's rebuild unless it exists: (instance id, runtime status, whether it started now)."""
    return await durable_job.start_once(client, JOB, instance_id=rebuild_instance_id(now), client_input=None)


def rebuild_steps(*, instance_id: str) -> Steps[dict[str, int]]:
    """The rebuild orchestration as plain steps: one batch after another until the users run out."""

    def rebuild() -> Steps[dict[str, int]]:
        total = 0
        after = None
        while True:
            # The replayed clock of this episode: deterministic, and close to the time the batch runs.
            now: datetime = yield Clock()
            batch = yield Call("rebuild_boards_batch", {"after": after, "size": BATCH_SIZE, "now": now.isoformat()})
            total += batch["count"]
            yield Progress({"users": total})
            after = batch["next"]
            if after is None:
                return {"users": total}

    started: datetime = yield Clock()
    return (
        yield from durable_job.recorded(JOB, {"instanceId": instance_id, "startedAt": started.isoformat()}, rebuild())
    )


@bp.orchestration_trigger(context_name="context")
def rebuild_boards_orchestrator(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, int]]:
    return (yield from durable_job.drive(context, rebuild_steps(instance_id=context.instance_id)))


@bp.activity_trigger(input_name="run")
def rebuild_boards_begin(run: dict[str, Any]) -> str:
    # Only the admin route starts it.
    return durable_job.begin_run(run, job=JOB, trigger="admin")


@bp.activity_trigger(input_name="batch")
def rebuild_boards_batch(batch: dict[str, Any]) -> dict[str, Any]:
    return rebuild_boards_after(
        get_job_db(),
        after=batch["after"],
        size=batch["size"],
        now=datetime.fromisoformat(batch["now"]),
        settings=config.settings(),
    )


@bp.activity_trigger(input_name="run")
def rebuild_boards_finish(run: dict[str, Any]) -> None:
    durable_job.finish_run(run)
