"""The scaffold of a Durable job (cleanup, boards rebuild): start once per instance id, record the run, drive the steps.

A job's orchestration is written as a *plain generator of steps*: it yields ``Call`` (one activity),
``CallAll`` (activities run together), ``Progress`` (the custom status) and ``Clock`` (the replayed
time), and receives the results. It never sees the Durable context, so tests run it with a small
driver and plain values. ``drive`` turns the steps into the context's calls; it adds nothing of its
own, so a replay yields the same actions. ``recorded`` wraps a job's steps between its begin and
finish activities: a failure is recorded in the job run, then raised, which fails the orchestration.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import azure.durable_functions as df

from tracking.services import jobruns as job_runs
from tracking.store import jobruns
from tracking.store.client import get_job_db

R = TypeVar("R")

# Statuses in which an instance counts as started; a failed or terminated one may be started again.
FOUND = (
    df.OrchestrationRuntimeStatus.Pending,
    df.OrchestrationRuntimeStatus.Running,
    df.OrchestrationRuntimeStatus.ContinuedAsNew,
    df.OrchestrationRuntimeStatus.Completed,
)


@dataclass(frozen=True)
class Call:
    activity: str
    payload: Any


@dataclass(frozen=True)
class CallAll:
    calls: list[Call]


@dataclass(frozen=True)
class Progress:
    status: Any


@dataclass(frozen=True)
class Clock:
    """Answered with the orchestration's replayed current time (a UTC datetime)."""


Step = Call | CallAll | Progress | Clock
Steps = Generator[Step, Any, R]


@dataclass(frozen=True)
class DurableJob:
    name: str  # the job name its runs are recorded under in jobruns
    orchestrator: str  # the orchestrator function's name
    begin: str  # the activity that records the run as started
    finish: str  # the activity that records how it ended


async def start_once(
    client: df.DurableOrchestrationClient, job: DurableJob, *, instance_id: str, client_input: Any
) -> tuple[str, str, bool]:
    """Start ``instance_id`` unless it exists: (instance id, runtime status, whether it started now)."""
    status = await client.get_status(instance_id)
    if status.runtime_status in FOUND:
        assert status.runtime_status is not None
        return instance_id, status.runtime_status.value, False
    await client.start_new(job.orchestrator, instance_id, client_input)
    return instance_id, df.OrchestrationRuntimeStatus.Pending.value, True


def recorded(job: DurableJob, begin: dict[str, Any], steps: Steps[R]) -> Steps[R]:
    """``steps`` between the job's begin and finish activities; a failure is recorded, then raised."""
    run_id = yield Call(job.begin, begin)
    try:
        result = yield from steps
    except Exception as error:
        yield Call(job.finish, {"runId": run_id, "status": jobruns.FAILED, "error": str(error), "result": None})
        raise
    yield Call(job.finish, {"runId": run_id, "status": jobruns.SUCCEEDED, "error": None, "result": result})
    return result


def drive(context: df.DurableOrchestrationContext, steps: Steps[R]) -> Generator[Any, Any, R]:
    """Run ``steps`` on the Durable context: the orchestrator function is ``return (yield from drive(...))``."""
    answer: Any = None
    failure: Exception | None = None
    while True:
        try:
            step = steps.throw(failure) if failure is not None else steps.send(answer)
        except StopIteration as done:
            return done.value
        answer, failure = None, None
        if isinstance(step, Progress):
            context.set_custom_status(step.status)
        elif isinstance(step, Clock):
            answer = context.current_utc_datetime
        else:
            task = (
                context.call_activity(step.activity, step.payload)
                if isinstance(step, Call)
                else context.task_all([context.call_activity(call.activity, call.payload) for call in step.calls])
            )
            try:
                answer = yield task
            except Exception as error:  # a failed activity: the job's steps decide what follows
                failure = error


# The begin and finish activities of every job call these.


def begin_run(run: dict[str, Any], *, job: DurableJob, trigger: str) -> str:
    """Start the run an orchestration reports as ``{"instanceId", "startedAt"}``; a replay finds the same run."""
    return job_runs.begin_orchestration_run(
        get_job_db(),
        name=job.name,
        trigger=trigger,
        instance_id=run["instanceId"],
        started_at=datetime.fromisoformat(run["startedAt"]),
    )


def finish_run(run: dict[str, Any]) -> None:
    """Finish the run an orchestration reports as ``{"runId", "status", "result", "error"}``."""
    job_runs.finish_orchestration_run(
        get_job_db(),
        run_id=run["runId"],
        status=run["status"],
        result=run["result"],
        error=run["error"],
        now=datetime.now(UTC),
    )
