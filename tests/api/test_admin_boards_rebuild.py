"""The boards rebuild end to end through the local host: legacy users reach the all-time board.

The module's host keeps its Durable instances in memory, so only one test starts today's rebuild.
"""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from tests.utils.hosts import ADMIN_KEY, RunningHost
from tests.utils.replaced_server import insert_replaced_user

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def test_rebuild_puts_the_replaced_servers_users_on_the_all_time_board(api: RunningHost) -> None:
    # Users of the replaced server: their time is in the user document only, and no boards yet.
    for user_id, seconds in (("100000000000000001", 3600.0), ("100000000000000002", 9000.0)):
        insert_replaced_user(api.db, user_id, totalCodingTime=seconds, languages={"python": seconds})
    insert_replaced_user(
        api.db, "100000000000000003", displayName="Cy", totalCodingTime=5400.0, languages={"go": 5400.0}
    )
    insert_replaced_user(api.db, "100000000000000004", isPublic=False, totalCodingTime=99999.0, languages={})
    assert api.get("leaderboard").json() == []

    day = datetime.now(UTC).strftime("%Y-%m-%d")
    instance_id = f"rebuild-boards-{day}"
    status_url = api.url(f"admin/boards/rebuild/{instance_id}")
    response = api.post("admin/boards/rebuild", headers=ADMIN)
    assert response.status_code == 202, response.text
    assert response.json() == {"id": instance_id, "started": True, "runtimeStatus": "Pending", "statusUrl": status_url}
    assert response.headers["Location"] == status_url

    status = api.wait_until_finished(f"admin/boards/rebuild/{instance_id}", headers=ADMIN)
    assert status["runtimeStatus"] == "Completed", status
    assert (status["progress"], status["result"], status["error"]) == ({"users": 4}, {"users": 4}, None)
    assert status["createdTime"] <= status["lastUpdatedTime"]

    response = api.get("leaderboard")
    assert response.status_code == 200
    assert response.json() == [
        {
            "username": "user100000000000000002",
            "displayName": "user100000000000000002",
            "totalCodingTime": 9000.0,
            "userId": "100000000000000002",
        },
        {
            "username": "user100000000000000003",
            "displayName": "Cy",
            "totalCodingTime": 5400.0,
            "userId": "100000000000000003",
        },
        {
            "username": "user100000000000000001",
            "displayName": "user100000000000000001",
            "totalCodingTime": 3600.0,
            "userId": "100000000000000001",
        },
    ]

    # A second start the same day finds the finished instance and starts nothing.
    again = api.post("admin/boards/rebuild", headers=ADMIN)
    assert again.status_code == 200, again.text
    assert again.json() == {"id": instance_id, "started": False, "runtimeStatus": "Completed", "statusUrl": status_url}
    assert (
        api.wait_until_finished(f"admin/boards/rebuild/{instance_id}", headers=ADMIN)["lastUpdatedTime"]
        == status["lastUpdatedTime"]
    )
    runs = list(api.db["jobruns"].find({"name": "rebuild_boards"}))
    assert [(run["instanceId"], run["trigger"], run["status"], run["result"]) for run in runs] == [
        (instance_id, "admin", "succeeded", {"users": 4})
    ]


def test_rebuild_status_of_an_unknown_or_foreign_instance_is_404(api: RunningHost) -> None:
    response = api.get("admin/boards/rebuild/rebuild-boards-1999-01-01", headers=ADMIN)
    assert response.status_code == 404
    assert response.json() == {"message": "No boards rebuild rebuild-boards-1999-01-01"}
    response = api.get("admin/boards/rebuild/cleanup-2026-W48", headers=ADMIN)
    assert response.status_code == 404
    assert response.json() == {"message": "No boards rebuild cleanup-2026-W48"}


def test_rebuild_needs_the_admin_scope(api: RunningHost) -> None:
    response = requests.post(api.url("admin/boards/rebuild"), timeout=10)
    assert response.status_code == 401
    response = requests.get(api.url("admin/boards/rebuild/rebuild-boards-1999-01-01"), timeout=10)
    assert response.status_code == 401
