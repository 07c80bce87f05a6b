"""Run a Durable job's plain steps (tracking.jobs.durable_job) without a host, and a stand-in Durable client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import azure.durable_functions as df

from tracking.jobs.durable_job import Call, CallAll, Clock, Progress, Steps


class ActivityFailed(RuntimeError):
    """What a failed activity raises in the orchestration, with the SDK's wording."""

    def __init__(self, name: str, error: Exception):
        super().__init__(f"Activity function '{name}' failed: {error}")


@dataclass
class Driver:
    """Answers each activity with ``results(name, payload)``; one that raises fails its step as a failed activity.

    Records every activity called, the size of each group called together, and every custom status.
    """

    results: Callable[[str, Any], Any]
    now: datetime | None = None  # the answer to a Clock step
    calls: list[tuple[str, Any]] = field(default_factory=list)
    waves: list[int] = field(default_factory=list)
    statuses: list[Any] = field(default_factory=list)

    def _call(self, call: Call) -> tuple[Any, Exception | None]:
        self.calls.append((call.activity, call.payload))
        try:
            return self.results(call.activity, call.payload), None
        except Exception as error:
            return None, ActivityFailed(call.activity, error)

    def run(self, steps: Steps[Any]) -> Any:
        """The steps' output; raises what the steps raise."""
        answer: Any = None
        failure: Exception | None = None
        while True:
            try:
                step = steps.throw(failure) if failure is not None else steps.send(answer)
            except StopIteration as done:
                return done.value
            answer, failure = None, None
            if isinstance(step, Progress):
                self.statuses.append(step.status)
            elif isinstance(step, Clock):
                assert self.now is not None, "these steps read the clock: give the driver a now"
                answer = self.now
            elif isinstance(step, Call):
                answer, failure = self._call(step)
            else:
                assert isinstance(step, CallAll)
                self.waves.append(len(step.calls))
                outcomes = [self._call(call) for call in step.calls]
                failure = next((error for _, error in outcomes if error is not None), None)
                answer = None if failure else [value for value, _ in outcomes]


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
