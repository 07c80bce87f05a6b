"""Durable Functions in-process: orchestrations replayed by the real SDK executor, activities called directly.

Each episode hands the orchestrator function the history so far, exactly as the Durable extension
does; the SDK replays the generator and returns its new actions, which run here as activities and
are appended to the history as TaskScheduled/TaskCompleted/TaskFailed events. Determinism and
replay bugs therefore show up locally. Instances live in memory for the life of the host.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import azure.functions as func
from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

logger = logging.getLogger("tracking.host.durable")

ORCHESTRATOR_STARTED, EXECUTION_STARTED, TASK_SCHEDULED, TASK_COMPLETED, TASK_FAILED = 12, 0, 4, 5, 6
ORCHESTRATOR_COMPLETED = 13
CALL_ACTIVITY = 0
STATE_MARKER = "$OutOfProcData$:"


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _event(event_type: int, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    return {"EventType": event_type, "EventId": event_id, "IsPlayed": False, "Timestamp": _timestamp(), **fields}


@dataclass
class Instance:
    instance_id: str
    name: str
    input: str
    created: str = field(default_factory=_timestamp)
    updated: str = field(default_factory=_timestamp)
    runtime_status: str = "Pending"
    custom_status: Any = None
    output: Any = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "instanceId": self.instance_id,
            "runtimeStatus": self.runtime_status,
            "input": json.loads(self.input),
            "customStatus": self.custom_status,
            "output": self.output,
            "createdTime": self.created,
            "lastUpdatedTime": self.updated,
        }


class DurableRuntime:
    """Runs the orchestrations and activities of one app in background threads."""

    def __init__(
        self,
        orchestrators: dict[str, Callable[[str], str]],
        activities: dict[str, Callable[[Any], Any]],
        base_url: str,
    ):
        self.orchestrators = orchestrators
        self.activities = activities
        self.base_url = base_url.rstrip("/")
        self._instances: dict[str, Instance] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="durable-activity")

    def client(self) -> InProcessDurableClient:
        return InProcessDurableClient(self)

    def start(self, name: str, instance_id: str | None, client_input: Any) -> str:
        if name not in self.orchestrators:
            raise ValueError(f"No orchestrator function named {name!r}")
        instance = Instance(instance_id or uuid.uuid4().hex, name, json.dumps(client_input))
        with self._lock:
            # Starting an existing id replaces it, as the Durable extension does.
            self._instances[instance.instance_id] = instance
        threading.Thread(
            target=self._run, args=(instance,), name=f"orchestration-{instance.instance_id}", daemon=True
        ).start()
        return instance.instance_id

    def status(self, instance_id: str) -> dict[str, Any] | None:
        with self._lock:
            instance = self._instances.get(instance_id)
            return instance.to_json() if instance else None

    def wait(self, instance_id: str, timeout_seconds: float) -> dict[str, Any] | None:
        """Poll until the instance is no longer running (tests and the client's wait helper)."""
        stop = threading.Event()
        waited = 0.0
        while waited < timeout_seconds:
            status = self.status(instance_id)
            if status is None or status["runtimeStatus"] not in ("Pending", "Running"):
                return status
            stop.wait(0.05)
            waited += 0.05
        return self.status(instance_id)

    def terminate(self, instance_id: str, reason: str) -> None:
        with self._lock:
            instance = self._instances.get(instance_id)
            if instance and instance.runtime_status in ("Pending", "Running"):
                instance.runtime_status, instance.output, instance.updated = "Terminated", reason, _timestamp()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _update(self, instance: Instance, **changes: Any) -> bool:
        with self._lock:
            if instance.runtime_status == "Terminated":
                return False
            for key, value in changes.items():
                setattr(instance, key, value)
            instance.updated = _timestamp()
            return True

    def _run(self, instance: Instance) -> None:
        handle = self.orchestrators[instance.name]
        history = [
            _event(ORCHESTRATOR_STARTED),
            _event(EXECUTION_STARTED, Name=instance.name, Input=instance.input, Version=""),
        ]
        scheduled = 0
        if not self._update(instance, runtime_status="Running"):
            return
        while True:
            context = {
                "history": history,
                "instanceId": instance.instance_id,
                "isReplaying": False,
                "parentInstanceId": None,
                "input": instance.input,
            }
            try:
                state = json.loads(handle(json.dumps(context)))
            except Exception as error:  # the SDK raises with the state (and the error) embedded
                text = str(error)
                failed = json.loads(text.split(STATE_MARKER, 1)[1]) if STATE_MARKER in text else {"error": text}
                logger.error("orchestration %s failed: %s", instance.instance_id, failed.get("error"))
                self._update(
                    instance,
                    runtime_status="Failed",
                    output=failed.get("error"),
                    custom_status=failed.get("customStatus"),
                )
                return
            self._update(instance, custom_status=state.get("customStatus"), history=list(history))
            if state.get("isDone"):
                self._update(instance, runtime_status="Completed", output=state.get("output"))
                return
            actions = [action for group in state.get("actions", []) for action in group]
            new_actions = actions[scheduled:]
            unsupported = [action for action in new_actions if action.get("actionType") != CALL_ACTIVITY]
            if unsupported or not new_actions:
                message = f"the local host runs only call_activity and task_all; got actions {unsupported or 'none'}"
                self._update(instance, runtime_status="Failed", output=message)
                return
            history.append(_event(ORCHESTRATOR_COMPLETED))
            first_id = scheduled
            for offset, action in enumerate(new_actions):
                history.append(_event(TASK_SCHEDULED, first_id + offset, Name=action["functionName"]))
            results = list(self._pool.map(self._call_activity, new_actions))
            history.append(_event(ORCHESTRATOR_STARTED))
            for offset, (ok, payload) in enumerate(results):
                if ok:
                    history.append(_event(TASK_COMPLETED, TaskScheduledId=first_id + offset, Result=payload))
                else:
                    reason, details = payload
                    history.append(
                        _event(TASK_FAILED, TaskScheduledId=first_id + offset, Reason=reason, Details=details)
                    )
            scheduled += len(new_actions)

    def _call_activity(self, action: dict[str, Any]) -> tuple[bool, Any]:
        name = action["functionName"]
        activity = self.activities.get(name)
        if activity is None:
            return False, (f"No activity function named {name!r}", "")
        try:
            raw = action.get("input")
            result = activity(json.loads(raw) if raw is not None else None)
            return True, json.dumps(result)
        except Exception as error:
            logger.exception("activity %s failed", name)
            return False, (f"{type(error).__name__}: {error}", traceback.format_exc())


class InProcessDurableClient:
    """The part of ``df.DurableOrchestrationClient`` that client functions use, served in-process."""

    def __init__(self, runtime: DurableRuntime):
        self._runtime = runtime

    async def start_new(
        self, orchestration_function_name: str, instance_id: str | None = None, client_input: Any = None
    ) -> str:
        return self._runtime.start(orchestration_function_name, instance_id, client_input)

    async def get_status(
        self, instance_id: str, show_history: bool = False, show_history_output: bool = False, show_input: bool = False
    ) -> DurableOrchestrationStatus:
        status = self._runtime.status(instance_id)
        return DurableOrchestrationStatus.from_json(status or {})

    async def terminate(self, instance_id: str, reason: str) -> None:
        self._runtime.terminate(instance_id, reason)

    def create_http_management_payload(self, instance_id: str) -> dict[str, str]:
        base = f"{self._runtime.base_url}/runtime/webhooks/durabletask/instances/{instance_id}"
        return {
            "id": instance_id,
            "statusQueryGetUri": base,
            "sendEventPostUri": f"{base}/raiseEvent/{{eventName}}",
            "terminatePostUri": f"{base}/terminate?reason={{text}}",
            "purgeHistoryDeleteUri": base,
        }

    def create_check_status_response(self, request: func.HttpRequest, instance_id: str) -> func.HttpResponse:
        payload = self.create_http_management_payload(instance_id)
        return func.HttpResponse(
            json.dumps(payload),
            status_code=202,
            headers={"Location": payload["statusQueryGetUri"], "Retry-After": "10"},
            mimetype="application/json",
        )
