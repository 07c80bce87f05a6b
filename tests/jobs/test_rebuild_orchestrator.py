"""The boards rebuild orchestration without a host: its plain steps with a driver over three batches of users."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.utils.durable import Driver
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


def steps() -> Any:
    return rebuild.rebuild_steps(instance_id="rebuild-boards-2026-11-29")


def test_pages_through_the_users_batch_by_batch_and_returns_the_count() -> None:
    driver = Driver(activity_result, now=NOW)
    assert driver.run(steps()) == {"users": 5}

    assert driver.calls == [
        ("rebuild_boards_begin", {"instanceId": "rebuild-boards-2026-11-29", "startedAt": NOW.isoformat()}),
        ("rebuild_boards_batch", {"after": None, "size": 200, "now": NOW.isoformat()}),
        ("rebuild_boards_batch", {"after": "u2", "size": 200, "now": NOW.isoformat()}),
        ("rebuild_boards_batch", {"after": "u4", "size": 200, "now": NOW.isoformat()}),
        ("rebuild_boards_finish", {"runId": "run-1", "status": "succeeded", "error": None, "result": {"users": 5}}),
    ]
    assert driver.statuses == [{"users": 2}, {"users": 4}, {"users": 5}]


def test_a_failed_batch_is_recorded_in_the_job_run_and_fails_the_orchestration() -> None:
    def results(name: str, payload: Any) -> Any:
        if name == "rebuild_boards_batch" and payload["after"] == "u2":
            raise RuntimeError("database gone")
        return activity_result(name, payload)

    driver = Driver(results, now=NOW)
    with pytest.raises(RuntimeError, match="database gone"):
        driver.run(steps())
    names = [name for name, _ in driver.calls]
    assert names == ["rebuild_boards_begin", "rebuild_boards_batch", "rebuild_boards_batch", "rebuild_boards_finish"]
    last = driver.calls[-1][1]
    assert (last["runId"], last["status"], last["result"]) == ("run-1", "failed", None)
    assert "database gone" in last["error"]
