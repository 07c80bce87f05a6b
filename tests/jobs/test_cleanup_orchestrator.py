"""The cleanup orchestration without a host: its steps run by a driver, then the SDK's replay of a recorded history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.utils.durable import Driver
from tracking.domain.retention import RetentionPolicy, cutoffs
from tracking.jobs import cleanup

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
JOB = {
    "now": NOW.isoformat(),
    "trigger": "timer",
    "dryRun": False,
    "batchSize": 2,
    "cutoffs": cutoffs(RetentionPolicy(), NOW).to_json(),
}
BATCHES = [["u1", "u2"], ["u3", "u4"], ["u5", "u6"], ["u7", "u8"], ["u9"]]  # two waves of session activities
SNAPSHOTS_DELETED = {"day": 3, "week": 2, "month": 1, "last24h": 40}
EXPECTED = {
    "dryRun": False,
    "cutoffs": JOB["cutoffs"],
    "codingSessions": {"aggregated": 10, "deleted": 15, "unsummed": 5},
    "leaderboardSnapshots": {"deletedCount": 46, "byTimeframe": SNAPSHOTS_DELETED},
    "inactiveUsers": {"archivedCount": 2},
    "jobRuns": {"deletedCount": 1440},
    "webhookLog": {"attempts": 12, "deliveries": 7, "events": 5},
}


def activity_result(name: str, payload: Any) -> Any:
    """What each activity returns for this recorded run."""
    if name == "cleanup_begin":
        return "run-1"
    if name == "cleanup_plan":
        return BATCHES
    if name == "cleanup_sessions":
        return {"aggregated": 2, "deleted": 3, "unsummed": 1}
    if name == "cleanup_snapshots":
        return SNAPSHOTS_DELETED[payload["timeframe"]]
    if name == "cleanup_users":
        return 2
    if name == "cleanup_job_runs":
        return 1440
    if name == "cleanup_webhook_log":
        return {"attempts": 12, "deliveries": 7, "events": 5}
    if name == "cleanup_finish":
        return None
    raise AssertionError(f"unexpected activity {name}")


def steps() -> Any:
    return cleanup.cleanup_steps(JOB, instance_id="cleanup-2026-W48")


def test_fans_out_over_user_batches_and_returns_the_counts() -> None:
    driver = Driver(activity_result)
    assert driver.run(steps()) == EXPECTED

    calls = driver.calls
    assert [name for name, _ in calls] == [
        "cleanup_begin",
        "cleanup_plan",
        *["cleanup_sessions"] * 5,
        *["cleanup_snapshots"] * 4,
        "cleanup_users",
        "cleanup_job_runs",
        "cleanup_webhook_log",
        "cleanup_finish",
    ]
    assert calls[0][1] == {"instanceId": "cleanup-2026-W48", "trigger": "timer", "startedAt": JOB["now"]}
    assert [payload["userIds"] for name, payload in calls if name == "cleanup_sessions"] == BATCHES
    assert [payload["timeframe"] for name, payload in calls if name == "cleanup_snapshots"] == [
        "day",
        "week",
        "month",
        "last24h",
    ]
    assert calls[-1][1] == {"runId": "run-1", "status": "succeeded", "error": None, "result": EXPECTED}
    # Two waves of session batches (4 + 1), then snapshots, users, job runs, the webhook log and done.
    assert driver.waves == [4, 1, 4]
    stages = driver.statuses
    assert [(s["stage"], s["batchesDone"]) for s in stages] == [
        ("sessions", 0),
        ("sessions", 4),
        ("sessions", 5),
        ("snapshots", 5),
        ("users", 5),
        ("jobRuns", 5),
        ("webhooks", 5),
        ("done", 5),
    ]
    assert stages[2]["codingSessions"] == {"aggregated": 10, "deleted": 15, "unsummed": 5}


def test_a_failed_activity_is_recorded_in_the_job_run_and_fails_the_orchestration() -> None:
    def results(name: str, payload: Any) -> Any:
        if name == "cleanup_snapshots" and payload["timeframe"] == "week":
            raise RuntimeError("database gone")
        return activity_result(name, payload)

    driver = Driver(results)
    with pytest.raises(RuntimeError, match="database gone"):
        driver.run(steps())
    name, payload = driver.calls[-1]
    assert name == "cleanup_finish"
    assert payload["status"] == "failed"
    assert payload["result"] is None
    assert "database gone" in payload["error"]
    assert "cleanup_users" not in [name for name, _ in driver.calls]


# Replay with the SDK's real executor: the orchestration context JSON in, the orchestrator state out.

TIMESTAMP = "2026-11-29T02:00:00.000000Z"


def event(event_type: int, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    return {"EventType": event_type, "EventId": event_id, "IsPlayed": False, "Timestamp": TIMESTAMP, **fields}


def replay(history: list[dict[str, Any]]) -> dict[str, Any]:
    handle = cleanup.cleanup_orchestrator.build().get_user_function()
    context = {
        "history": history,
        "instanceId": "cleanup-2026-W48",
        "isReplaying": False,
        "parentInstanceId": None,
        "input": json.dumps(JOB),
    }
    state: dict[str, Any] = json.loads(handle(json.dumps(context)))
    return state


def record_history() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the orchestration episode by episode as the Durable extension would, recording its history."""
    history = [event(12), event(0, Name=cleanup.ORCHESTRATOR, Input=json.dumps(JOB), Version="")]
    scheduled = 0
    episodes = []
    while True:
        state = replay(history)
        episodes.append(state)
        if state["isDone"]:
            return history, episodes
        actions = [action for group in state["actions"] for action in group][scheduled:]
        history.append(event(13))
        for offset, action in enumerate(actions):
            history.append(event(4, scheduled + offset, Name=action["functionName"]))
        history.append(event(12))
        for offset, action in enumerate(actions):
            result = activity_result(action["functionName"], json.loads(action["input"]))
            history.append(event(5, TaskScheduledId=scheduled + offset, Result=json.dumps(result)))
        scheduled += len(actions)


def test_replay_of_a_recorded_history_gives_the_counts() -> None:
    history, episodes = record_history()
    # Episodes: begin, plan, two waves of sessions, snapshots, users, job runs, webhook log, finish, done.
    assert len(episodes) == 10
    assert episodes[0]["actions"][0][0]["functionName"] == "cleanup_begin"
    assert episodes[-1]["output"] == EXPECTED
    assert episodes[-1]["customStatus"]["stage"] == "done"
    # Replaying the whole recorded history at once is deterministic: same output, nothing new to do.
    again = replay(history)
    assert again["isDone"] is True
    assert again["output"] == EXPECTED
    assert len([action for group in again["actions"] for action in group]) == 15
