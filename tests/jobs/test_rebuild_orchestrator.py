"""The boards rebuild orchestrator without a host: a fake context over three batches of users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from unittest.mock import MagicMock

import pytest
from azure.durable_functions.testing import orchestrator_generator_wrapper

from tests.utils import durable
from tracking.jobs import rebuild

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
BATCHES = {None: {"next": "u2", "count": 2}, "u2": {"next": "u4", "count": 2}, "u4": {"next": None, "count": 1}}


def activity_result(name: str, payload: Any) -> Any:
    """What each activity returns for this recorded run."""
    if name == "rebuild_boards_begin":
        return "run-1"
    if name == "rebuild_boards_batch":
        return BATCHES[payload["after"]]
    if name == "rebuild_boards_finish":
        return None
    raise AssertionError(f"unexpected activity {name}")


def fake_context(results: Callable[[str, Any], Any]) -> MagicMock:
    return durable.fake_context(results, instance_id="rebuild-boards-2026-11-29", current_utc_datetime=NOW)


def orchestrator_function() -> Callable[[Any], Any]:
    return rebuild.rebuild_boards_orchestrator.build().get_user_function().orchestrator_function  # type: ignore[no-any-return]


def test_pages_through_the_users_batch_by_batch_and_returns_the_count() -> None:
    context = fake_context(activity_result)
    values = list(orchestrator_generator_wrapper(orchestrator_function()(context)))
    assert values[-1] == {"users": 5}

    calls = [(call.args[0], call.args[1]) for call in context.call_activity.call_args_list]
    assert calls == [
        ("rebuild_boards_begin", {"instanceId": "rebuild-boards-2026-11-29", "startedAt": NOW.isoformat()}),
        ("rebuild_boards_batch", {"after": None, "size": 200, "now": NOW.isoformat()}),
        ("rebuild_boards_batch", {"after": "u2", "size": 200, "now": NOW.isoformat()}),
        ("rebuild_boards_batch", {"after": "u4", "size": 200, "now": NOW.isoformat()}),
        ("rebuild_boards_finish", {"runId": "run-1", "status": "succeeded", "error": None, "result": {"users": 5}}),
    ]
    assert [call.args[0] for call in context.set_custom_status.call_args_list] == [
        {"users": 2},
        {"users": 4},
        {"users": 5},
    ]


def test_a_failed_batch_is_recorded_in_the_job_run_and_fails_the_orchestration() -> None:
    def results(name: str, payload: Any) -> Any:
        if name == "rebuild_boards_batch" and payload["after"] == "u2":
            raise RuntimeError("database gone")
        return activity_result(name, payload)

    context = fake_context(results)
    with pytest.raises(RuntimeError, match="database gone"):
        list(orchestrator_generator_wrapper(orchestrator_function()(context)))
    names = [call.args[0] for call in context.call_activity.call_args_list]
    assert names == ["rebuild_boards_begin", "rebuild_boards_batch", "rebuild_boards_batch", "rebuild_boards_finish"]
    last = context.call_activity.call_args_list[-1].args[1]
    assert (last["runId"], last["status"], last["result"]) == ("run-1", "failed", None)
    assert "database gone" in last["error"]
