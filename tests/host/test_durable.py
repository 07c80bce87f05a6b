"""The local host's in-process Durable runtime, on a small app of its own."""

from __future__ import annotations

import asyncio
import json

import azure.durable_functions as df
import azure.functions as func

from tracking.host.durable import DurableRuntime
from tracking.host.functions import AppFunctions

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    numbers = context.get_input()["numbers"]
    context.set_custom_status({"stage": "squaring", "count": len(numbers)})
    squares = yield context.task_all([context.call_activity("square", n) for n in numbers])
    total = yield context.call_activity("add", squares)
    return {"total": total, "at": context.current_utc_datetime.isoformat()}


@bp.orchestration_trigger(context_name="context")
def failing(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    yield context.call_activity("explode", None)


@bp.activity_trigger(input_name="n")
def square(n: int) -> int:
    return n * n


@bp.activity_trigger(input_name="values")
def add(values: list[int]) -> int:
    return sum(values)


@bp.activity_trigger(input_name="ignored")
def explode(ignored: None) -> None:
    raise RuntimeError("boom")


@bp.route(route="start", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = await client.start_new("fan_out", "weekly-1", req.get_json())
    return client.create_check_status_response(req, instance_id)


def _runtime() -> tuple[DurableRuntime, AppFunctions]:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.register_functions(bp)
    functions = AppFunctions(app)
    runtime = DurableRuntime(functions.orchestrator_handles(), functions.activity_callables(), "http://localhost:7071")
    return runtime, functions


def test_fan_out_and_sequence_complete_with_the_output() -> None:
    runtime, _ = _runtime()
    instance_id = runtime.start("fan_out", "fixed-id", {"numbers": [1, 2, 3]})
    status = runtime.wait(instance_id, 10)
    assert status is not None
    assert status["runtimeStatus"] == "Completed"
    assert status["output"]["total"] == 14
    assert status["customStatus"] == {"stage": "squaring", "count": 3}
    assert status["instanceId"] == "fixed-id"
    assert status["input"] == {"numbers": [1, 2, 3]}


def test_a_failing_activity_fails_the_orchestration_with_its_message() -> None:
    runtime, _ = _runtime()
    status = runtime.wait(runtime.start("failing", None, None), 10)
    assert status is not None
    assert status["runtimeStatus"] == "Failed"
    assert "RuntimeError: boom" in status["output"]


def test_client_function_gets_an_in_process_client_and_answers_202() -> None:
    runtime, functions = _runtime()
    starter = functions.by_name("start")
    assert starter is not None
    request = func.HttpRequest(method="POST", url="http://localhost:7071/api/start", body=b'{"numbers": [2]}')
    response = starter.invoke(request, runtime.client)
    assert response.status_code == 202
    payload = json.loads(response.get_body())
    assert payload["id"] == "weekly-1"
    assert response.headers["Location"] == "http://localhost:7071/runtime/webhooks/durabletask/instances/weekly-1"
    assert runtime.wait("weekly-1", 10)["output"]["total"] == 4  # type: ignore[index]


def test_get_status_of_an_unknown_instance_has_no_runtime_status() -> None:
    runtime, _ = _runtime()
    status = asyncio.run(runtime.client().get_status("nobody"))
    assert status.runtime_status is None
