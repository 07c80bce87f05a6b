"""Run a Durable job's plain steps (tracking.jobs.durable_job) without a host, and a stand-in Durable client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import azure.durable_functions as df

from tracking.jobs.durable_job import Steps, drive


class ActivityFailed(RuntimeError):
    """What a failed activity raises in the orchestration, with the SDK's wording."""

    def __init__(self, name: str, error: Exception):
        super().__init__(f"Activity function '{name}' failed: {error}")


@dataclass
class Task:
    """A finished activity (or group): its value, or the error the orchestration sees."""

    value: Any = None
    error: Exception | None = None


@dataclass
class Driver:
    """A tiny real stand-in for the orchestration context, which runs a job's steps through ``drive``.

    Each activity answers ``results(name, payload)``; one that raises fails as a failed activity does.
    Records every activity called, the size of each group called together, and every custom status.
    """

    results: Callable[[str, Any], Any]
    now: datetime | None = None  # the context's current_utc_datetime
    calls: list[tuple[str, Any]] = field(default_factory=list)
    waves: list[int] = field(default_factory=list)
    statuses: list[Any] = field(default_factory=list)

    @property
    def current_utc_datetime(self) -> datetime:
        assert self.now is not None, "these steps read the clock: give the driver a now"
        return self.now

    def call_activity(self, name: str, payload: Any) -> Task:
        self.calls.append((name, payload))
        try:
            return Task(self.results(name, payload))
        except Exception as error:
            return Task(error=ActivityFailed(name, error))

    def task_all(self, tasks: list[Task]) -> Task:
        self.waves.append(len(tasks))
        failed = next((task.error for task in tasks if task.error is not None), None)
        return Task(error=failed) if failed else Task([task.value for task in tasks])

    def set_custom_status(self, status: Any) -> None:
        self.statuses.append(status)

    def run(self, steps: Steps[Any]) -> Any:
        """The steps' output, run as the orchestrator runs them; raises what the steps raise."""
        orchestration = drive(self, steps)  # type: ignore[arg-type]
        task = next(orchestration)
        while True:
            try:
                task = orchestration.throw(task.error) if task.error else orchestration.send(task.value)
            except StopIteration as done:
                return done.value


@dataclass
class InstanceStatus:
    runtime_status: df.OrchestrationRuntimeStatus | None


@dataclass
class StandInClient:
    """A Durable client with one instance status for every id; records what is asked and what is started."""

    status: str | None  # the runtime status get_status answers; None: no such instance
    asked: list[str] = field(default_factory=list)
    started: list[tuple[str, str | None, Any]] = field(default_factory=list)

    async def get_status(self, instance_id: str) -> InstanceStatus:
        self.asked.append(instance_id)
        return InstanceStatus(df.OrchestrationRuntimeStatus(self.status) if self.status else None)

    async def start_new(self, name: str, instance_id: str | None = None, client_input: Any = None) -> str | None:
        self.started.append((name, instance_id, client_input))
        return instance_id
