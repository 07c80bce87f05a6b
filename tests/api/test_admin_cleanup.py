"""The weekly cleanup end to end through the local host: admin start, status, timer, cron status.

One host for the module, whose Durable instances live in memory: the steps run in order in one test.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from pymongo import MongoClient

from tests.utils.hosts import ADMIN_KEY, RunningHost, start_host
from tests.utils.retention import IDLE, reads, seed_retention_data, snapshot_keys
from tracking.domain.retention import iso_week_key


@pytest.fixture(scope="module")
def host(
    mongodb_uri: str, mongo: MongoClient[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHost]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    # A daily schedule makes the timer's occurrence fall in today's ISO week, like the admin start.
    env = {"CLEANUP_SCHEDULE": "0 0 0 * * *", "CLEANUP_BATCH_SIZE": "2"}
    running = start_host(mongodb_uri=mongodb_uri, database=name, log_dir=tmp_path_factory.mktemp("host"), extra_env=env)
    running.session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    try:
        yield running
    finally:
        running.stop()
        mongo.drop_database(name)


def test_cleanup_through_the_local_host(host: RunningHost) -> None:
    now = datetime.now(UTC)
    seed = seed_retention_data(host.db, now, slack=timedelta(minutes=5))
    before = reads(host.db)
    week = iso_week_key(now)

    # Dry run: its own instance id, the same counts, nothing changed.
    response = host.post("admin/cleanup", json={"dryRun": True})
    assert response.status_code == 202, response.text
    dry = response.json()
    assert dry["id"] == f"cleanup-{week}-dry-run"
    assert dry["started"] is True
    assert response.headers["Location"] == dry["statusUrl"] == host.url(f"admin/cleanup/cleanup-{week}-dry-run")
    dry_status = host.wait_until_finished(f"admin/cleanup/{dry['id']}")
    assert dry_status["runtimeStatus"] == "Completed", dry_status
    assert dry_status["result"]["dryRun"] is True
    assert dry_status["result"]["codingSessions"] == {"aggregated": seed.aggregated_days, "deleted": 31, "unsummed": 1}
    assert host.db["codingsessions"].count_documents({}) == 123
    assert reads(host.db) == before

    # The real cleanup, started by the admin route with an empty body.
    response = host.post("admin/cleanup")
    assert response.status_code == 202, response.text
    started = response.json()
    assert started == {
        "id": f"cleanup-{week}",
        "started": True,
        "runtimeStatus": "Pending",
        "statusUrl": host.url(f"admin/cleanup/cleanup-{week}"),
    }
    status = host.wait_until_finished(f"admin/cleanup/{started['id']}")
    assert status["runtimeStatus"] == "Completed", status
    assert status["error"] is None
    assert status["progress"]["stage"] == "done"
    assert status["progress"]["batchesTotal"] == 2  # three users with old sessions, two per batch
    result = status["result"]
    assert result["dryRun"] is False
    assert result["codingSessions"] == {"aggregated": seed.aggregated_days, "deleted": 31, "unsummed": 1}
    assert result["leaderboardSnapshots"] == {
        "deletedCount": 4,
        "byTimeframe": {"day": 1, "week": 1, "month": 1, "last24h": 1},
    }
    assert result["inactiveUsers"] == {"archivedCount": 1}
    assert result["webhookLog"] == {"attempts": 0, "deliveries": 0, "events": 0}

    sessions = {doc["sessionId"] for doc in host.db["codingsessions"].find()}
    assert sessions == seed.kept_session_ids
    assert snapshot_keys(host.db) == seed.kept_snapshots
    assert {doc["userId"] for doc in host.db["users"].find({"archived": True})} == {IDLE, "100000000000000007"}
    # Nothing credited is lost; the archived user leaves the boards.
    assert reads(host.db) == {**before, "boards": [entry for entry in before["boards"] if entry[2] != IDLE]}
    assert any(entry[2] == IDLE for entry in before["boards"])

    # The timer in the same week finds the finished instance and starts nothing new.
    fired = requests.post(host.base_url.removesuffix("/api") + "/admin/functions/weekly_cleanup", timeout=10)
    assert fired.status_code == 202
    time.sleep(1)
    again = host.post("admin/cleanup", json={})
    assert again.status_code == 200, again.text
    assert again.json() == {
        "id": f"cleanup-{week}",
        "started": False,
        "runtimeStatus": "Completed",
        "statusUrl": host.url(f"admin/cleanup/cleanup-{week}"),
    }
    again = host.wait_until_finished(f"admin/cleanup/{started['id']}")
    assert again["lastUpdatedTime"] == status["lastUpdatedTime"]
    runs = list(host.db["jobruns"].find({"name": "weekly_cleanup"}).sort("startedAt", 1))
    assert [(run["instanceId"], run["trigger"], run["status"]) for run in runs] == [
        (f"cleanup-{week}-dry-run", "admin", "succeeded"),
        (f"cleanup-{week}", "admin", "succeeded"),
    ]
    assert runs[1]["result"]["codingSessions"]["deleted"] == 31
    assert runs[1]["finishedAt"] >= runs[1]["startedAt"]

    # The cron status shows the run.
    cron = host.get("admin/cron/status")
    assert cron.status_code == 200
    jobs = {job["name"]: job for job in cron.json()["cronJobs"]["jobs"]}
    cleanup = jobs["weekly_cleanup"]
    assert cleanup["schedule"] == "0 0 0 * * *"
    assert cleanup["scheduleSetting"] == "CLEANUP_SCHEDULE"
    assert cleanup["lastStatus"] == "succeeded"
    assert cleanup["running"] is False
    assert cleanup["lastRun"]["instanceId"] == f"cleanup-{week}"
    assert cleanup["lastRun"]["trigger"] == "admin"
    assert datetime.fromisoformat(cleanup["nextRun"]) == (now + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )


def test_cleanup_status_of_an_unknown_or_foreign_instance_is_404(host: RunningHost) -> None:
    response = host.get("admin/cleanup/cleanup-1999-W01")
    assert response.status_code == 404
    assert response.json() == {"message": "No cleanup cleanup-1999-W01"}
    response = host.get("admin/cleanup/reindex-1")
    assert response.status_code == 404
    assert response.json() == {"message": "No cleanup reindex-1"}


def test_cleanup_needs_the_admin_scope_and_a_valid_body(host: RunningHost) -> None:
    response = requests.post(host.url("admin/cleanup"), timeout=10)
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication required: send Authorization: Bearer <API key>"}
    response = host.post("admin/cleanup", json={"dryRun": "yes"})
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid request body"
    assert response.json()["errors"][0]["field"] == "dryRun"
