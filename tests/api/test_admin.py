"""Admin and operations routes, and the statistics and health-check timers, through the local host."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.utils.hosts import ADMIN_KEY, SERVICE_KEY, RunningHost
from tracking.store import snapshotruns


@pytest.fixture
def admin(api: RunningHost) -> RunningHost:
    """The module's host, calling with the admin key unless a test says otherwise."""
    api.session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    return api


def session(session_id: str, user_id: str, end: datetime, created: datetime) -> dict[str, Any]:
    return {
        "sessionId": session_id,
        "userId": user_id,
        "username": "ada",
        "startTime": end - timedelta(minutes=30),
        "endTime": end,
        "duration": 1800.0,
        "languages": {"python": 1800.0},
        "projectName": "distrack",
        "editor": "vscode",
        "createdAt": created,
    }


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def fire(host: RunningHost, name: str) -> None:
    response = requests.post(host.base_url.removesuffix("/api") + f"/admin/functions/{name}", timeout=10)
    assert response.status_code == 202, response.text


def wait_for_run(host: RunningHost, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run = host.db["jobruns"].find_one({"name": name, "status": {"$ne": "running"}})
        if run is not None:
            return run
        time.sleep(0.2)
    raise AssertionError(f"no finished run of {name}:\n{host.log()}")


ROUTES = [
    ("GET", "admin/stats"),
    ("GET", "admin/cron/status"),
    ("POST", "admin/cleanup"),
    ("GET", "admin/cleanup/cleanup-2026-W48"),
    ("GET", "admin/snapshot/health"),
    ("POST", "admin/snapshot/trigger"),
    ("POST", "admin/jobs/stats"),
    ("GET", "admin/system/health"),
    ("GET", "admin/system/stats"),
    ("GET", "admin/sessions/recent"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_admin_route_needs_an_admin_key(admin: RunningHost, method: str, path: str) -> None:
    anonymous = requests.request(method, admin.url(path), timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"message": "Authentication required: send Authorization: Bearer <API key>"}
    service = requests.request(method, admin.url(path), headers={"Authorization": f"Bearer {SERVICE_KEY}"}, timeout=10)
    assert service.status_code == 403
    assert service.json() == {"message": "This API key lacks the admin scope"}
    assert admin.db["jobruns"].count_documents({}) == 0


def test_cron_status_lists_every_timer_even_before_any_run(admin: RunningHost) -> None:
    response = admin.get("admin/cron/status")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    jobs = {job["name"]: job for job in body["cronJobs"]["jobs"]}
    assert body["cronJobs"]["totalJobs"] == len(jobs)
    assert {"weekly_cleanup", "database_stats", "health_check", "leaderboard_snapshots"} <= set(jobs)
    stats = jobs["database_stats"]
    assert stats["schedule"] == "0 0 9 * * Mon"
    assert stats["scheduleSetting"] == "STATS_SCHEDULE"
    assert stats["lastRun"] is None
    assert stats["lastStatus"] is None
    assert stats["running"] is False
    next_run = datetime.fromisoformat(stats["nextRun"])
    assert next_run.weekday() == 0
    assert (next_run.hour, next_run.minute, next_run.second) == (9, 0, 0)
    assert timedelta(0) < next_run - datetime.now(UTC) <= timedelta(days=7)
    assert jobs["weekly_cleanup"]["schedule"] == "0 0 2 * * Sun"
    assert jobs["health_check"]["schedule"] == "0 30 * * * *"


def test_stats_counts_collections_and_shows_the_edge_sessions(admin: RunningHost) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    admin.db["codingsessions"].insert_many(
        [
            session("old", "1", now - timedelta(days=10), now - timedelta(days=10)),
            session("new", "2", now - timedelta(hours=1), now - timedelta(hours=1)),
        ]
    )
    admin.db["users"].insert_many([{"userId": "1", "archived": True}, {"userId": "2", "archived": False}])
    admin.db["leaderboardsnapshots"].insert_one({"userId": "1", "timeframe": "day", "timestamp": now})
    response = admin.get("admin/stats")
    assert response.status_code == 200
    body = response.json()
    assert body["codingSessions"] == 2
    assert body["leaderboardSnapshots"] == 1
    assert body["users"] == 2
    assert body["archivedUsers"] == 1
    assert body["oldestSession"]["sessionId"] == "old"
    assert body["oldestSession"]["endTime"] == iso(now - timedelta(days=10))
    assert "_id" not in body["oldestSession"]
    assert body["newestSession"]["sessionId"] == "new"
    assert body["estimatedStorageKB"] > 0
    assert body["warning"] is None


def test_recent_sessions_newest_first_with_a_limit(admin: RunningHost) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    admin.db["codingsessions"].insert_many(
        [session(f"s{n}", "1", now - timedelta(hours=n), now - timedelta(minutes=n)) for n in range(3)]
    )
    response = admin.get("admin/sessions/recent", params={"limit": "2"})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["count"] == 2
    assert [s["sessionId"] for s in body["sessions"]] == ["s0", "s1"]
    assert set(body["sessions"][0]) == {
        "sessionId",
        "userId",
        "username",
        "startTime",
        "endTime",
        "duration",
        "languages",
        "projectName",
        "editor",
        "createdAt",
    }
    bad = admin.get("admin/sessions/recent", params={"limit": "0"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "limit"


def test_system_stats_counts_sessions_per_period(admin: RunningHost) -> None:
    now = datetime.now(UTC)
    admin.db["codingsessions"].insert_many(
        [
            session("now", "1", now, now),
            session("last-year", "1", now - timedelta(days=400), now - timedelta(days=400)),
        ]
    )
    admin.db["users"].insert_many([{"userId": "1", "lastSessionDate": now}, {"userId": "2", "lastSessionDate": None}])
    admin.db["leaderboardsnapshots"].insert_many(
        [
            {"userId": "1", "timeframe": "week", "timestamp": now},
            {"userId": "1", "timeframe": "allTime", "timestamp": now},
        ]
    )
    response = admin.get("admin/system/stats")
    assert response.status_code == 200
    stats = response.json()["stats"]
    assert stats["users"] == {"total": 2, "withSessions": 1}
    assert stats["sessions"] == {"total": 2, "today": 1, "thisWeek": 1, "thisMonth": 1}
    assert stats["snapshots"] == {"total": 2, "byTimeframe": {"day": 0, "week": 1, "month": 0, "allTime": 1}}


def test_snapshot_health_and_system_health_report_overdue_snapshots(admin: RunningHost) -> None:
    now = datetime.now(UTC)
    for timeframe, age in (("day", timedelta(hours=30)), ("week", timedelta(hours=1))):
        snapshotruns.claim_run(
            admin.db, timeframe=timeframe, period_key="x", timestamp=now - age, final=True, claimed_at=now - age
        )
        snapshotruns.complete_run(admin.db, timeframe=timeframe, period_key="x", count=1)
    # A snapshot still being taken is none yet: it does not count as the month's.
    snapshotruns.claim_run(admin.db, timeframe="month", period_key="x", timestamp=now, final=True, claimed_at=now)
    admin.db["leaderboardsnapshots"].insert_one({"userId": "ghost", "timeframe": "week", "timestamp": now})
    health = admin.get("admin/snapshot/health")
    assert health.status_code == 200
    status = health.json()["healthStatus"]
    assert status["day"]["hasRecentSnapshot"] is True  # within the 2-day lookback
    assert status["day"]["daysSinceLastSnapshot"] == 1
    assert status["week"]["hasRecentSnapshot"] is True
    assert status["month"] == {"hasRecentSnapshot": False, "lastSnapshotDate": None, "daysSinceLastSnapshot": None}

    response = admin.get("admin/system/health")
    assert response.status_code == 503
    report = response.json()
    assert report["success"] is False
    assert report["checks"]["day_snapshot"]["status"] == "overdue"
    assert report["checks"]["week_snapshot"]["status"] == "healthy"
    assert report["checks"]["month_snapshot"]["status"] == "missing"
    assert report["checks"]["database"] == {"status": "healthy", "users": 0, "sessions": 0, "snapshots": 1}
    assert report["checks"]["dataConsistency"] == {"status": "warning", "orphanedSnapshots": 1}
    assert report["errors"] == ["The day snapshot is overdue: the last one is 30.0 hours old"]
    assert "No month snapshot has been taken yet" in report["warnings"]
    assert "1 snapshot rows belong to no user" in report["warnings"]


def test_jobs_run_only_from_the_fixed_list_and_are_recorded(admin: RunningHost) -> None:
    bad = admin.post("admin/jobs/cleanup_orchestrator")
    assert bad.status_code == 400
    assert bad.json() == {
        "message": "Invalid job type. Must be one of: daily, weekly, monthly, snapshots, stats, health-check"
    }
    response = admin.post("admin/jobs/stats")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "stats job executed successfully"
    assert body["result"]["codingSessions"] == 0
    run = admin.db["jobruns"].find_one({"name": "database_stats"})
    assert run is not None
    assert (run["trigger"], run["status"], run["error"]) == ("admin", "succeeded", None)
    assert run["result"]["users"] == 0


def test_snapshot_trigger_takes_one_or_all_timeframes_and_refuses_a_bad_one(admin: RunningHost) -> None:
    response = admin.post("admin/snapshot/trigger", json={"timeframe": "week"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Manual snapshot triggered successfully"
    assert list(body["result"]["results"]) == ["week"]
    assert body["result"]["results"]["week"]["success"] is True
    again = admin.post("admin/snapshot/trigger")  # empty body: all four, the week one already taken
    assert again.status_code == 200
    results = again.json()["result"]["results"]
    assert list(results) == ["day", "week", "month", "allTime"]
    assert results["week"]["success"] is False
    assert again.json()["result"]["success"] is False
    bad = admin.post("admin/snapshot/trigger", json={"timeframe": "decade"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "timeframe"
    runs = list(admin.db["jobruns"].find({"name": "manual_snapshots"}))
    assert [(run["trigger"], run["status"]) for run in runs] == [("admin", "succeeded"), ("admin", "succeeded")]


def test_statistics_and_health_timers_fired_through_the_host_record_their_runs(admin: RunningHost) -> None:
    fire(admin, "database_stats")
    run = wait_for_run(admin, "database_stats")
    assert (run["trigger"], run["status"]) == ("timer", "succeeded")
    assert run["result"]["codingSessions"] == 0
    assert run["finishedAt"] >= run["startedAt"]

    fire(admin, "health_check")
    run = wait_for_run(admin, "health_check")
    assert (run["trigger"], run["status"]) == ("timer", "succeeded")
    assert run["result"]["checks"]["day_snapshot"]["status"] == "missing"

    cron = {job["name"]: job for job in admin.get("admin/cron/status").json()["cronJobs"]["jobs"]}
    assert cron["health_check"]["lastStatus"] == "succeeded"
    assert cron["health_check"]["lastRun"]["trigger"] == "timer"
