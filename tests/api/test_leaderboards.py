"""Leaderboards, snapshots and history over real HTTP against the local host."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import MongoClient

from tests.utils.factories import bearer, create_api_key
from tests.utils.hosts import ADMIN_KEY, SERVICE_KEY, RunningHost, start_host
from tracking import config
from tracking.domain.periods import period_at, previous_period
from tracking.domain.sessions import NewSession
from tracking.services.ingest import record_sessions, relist_user
from tracking.store import sessions, users

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
UTC_ZONE = ZoneInfo("UTC")


def _anchor() -> datetime:
    """A start inside the current UTC day and week, so a test never straddles a boundary."""
    now = datetime.now(UTC)
    return max(period_at("week", now, UTC_ZONE).start, now - timedelta(hours=2))


def record(api: RunningHost, user_id: str, start: datetime, end: datetime, languages: dict[str, float]) -> None:
    """Record one session through the ingest service, on the host's database."""
    session = NewSession(f"{user_id}-{start.isoformat()}", user_id, None, start, end, languages, None, None)
    record_sessions(api.db, batch=[session], now=datetime.now(UTC), settings=config.settings())


def code(
    api: RunningHost, user_id: str, minutes: float, languages: dict[str, float] | None = None, **user: Any
) -> None:
    """Give a user ``minutes`` more coding today, after what they coded before.

    ``user`` are fields set afterwards, as a profile edit or the cleanup's archiving does, boards following.
    """
    users.insert_user(api.db, user_id=user_id, username=f"user{user_id}", now=datetime.now(UTC))
    start = sessions.find_latest_end_by_user(api.db, user_id) or _anchor()
    record(api, user_id, start, start + timedelta(minutes=minutes), languages or {})
    if user:
        users.set_fields_by_id(api.db, user_id, user)
        relist_user(api.db, user_id=user_id, now=datetime.now(UTC), settings=config.settings())


def entry(user_id: str, rank: int, total: float, previous: int | None = None) -> dict[str, Any]:
    return {
        "userId": user_id,
        "username": f"user{user_id}",
        "displayName": f"user{user_id}",
        "rank": rank,
        "totalTime": total,
        "rankDelta": 0 if previous is None else previous - rank,
        "previousRank": previous,
    }


def test_board_is_a_bare_array_ordered_by_total_then_user_id(api: RunningHost) -> None:
    code(api, "300", 10)
    code(api, "100", 20)
    code(api, "200", 10)
    response = api.get("leaderboard/day")
    assert response.status_code == 200
    assert response.json() == [entry("100", 1, 1200), entry("200", 2, 600), entry("300", 3, 600)]


def test_private_archived_and_idle_users_are_left_off(api: RunningHost) -> None:
    code(api, "1", 10)
    code(api, "2", 10, isPublic=False)
    code(api, "3", 10, archived=True)
    users.insert_user(api.db, user_id="4", username="user4", now=datetime.now(UTC))
    assert [e["userId"] for e in api.get("leaderboard/week").json()] == ["1"]


def test_pages_and_cursor_walk_the_board(api: RunningHost) -> None:
    for index in range(5):
        code(api, f"u{index}", 10 + index)
    page2 = api.get("leaderboard/day", params={"limit": 2, "page": 2}).json()
    assert [(e["userId"], e["rank"]) for e in page2] == [("u2", 3), ("u1", 4)]

    first = api.get("leaderboard/day", params={"limit": 2, "envelope": 1}).json()
    assert [e["userId"] for e in first["entries"]] == ["u4", "u3"]
    second = api.get("leaderboard/day", params={"limit": 2, "envelope": 1, "cursor": first["nextCursor"]}).json()
    assert [(e["userId"], e["rank"]) for e in second["entries"]] == [("u2", 3), ("u1", 4)]


def test_envelope_carries_the_period_and_me_with_neighbours_off_the_page(api: RunningHost) -> None:
    for index in range(8):
        code(api, f"u{index}", 10 + index)
    response = api.get("leaderboard/week", params={"limit": 2, "envelope": "1", "userId": "u2"})
    assert response.status_code == 200
    body = response.json()
    week = period_at("week", datetime.now(UTC), UTC_ZONE)
    assert body["timeframe"] == "week"
    assert body["periodKey"] == week.key
    assert body["timezone"] == "UTC"
    assert datetime.fromisoformat(body["start"]) == week.start
    assert datetime.fromisoformat(body["end"]) == week.end
    assert [e["userId"] for e in body["entries"]] == ["u7", "u6"]
    assert body["me"] == entry("u2", 6, 720)
    assert [(e["userId"], e["rank"]) for e in body["neighbours"]] == [("u4", 4), ("u3", 5), ("u1", 7), ("u0", 8)]


def test_accept_header_variant_gives_the_envelope(api: RunningHost) -> None:
    code(api, "1", 5)
    response = api.get("leaderboard/day", headers={"Accept": "application/vnd.distrack.leaderboard+json"})
    assert response.json()["entries"] == [entry("1", 1, 300)]


def test_language_board(api: RunningHost) -> None:
    code(api, "1", 60, {"python": 3600})
    code(api, "2", 60, {"typescript": 1800, "python": 1800})  # stored normalised, as ingest does
    python = api.get("leaderboard/day", params={"language": "python"}).json()
    assert [(e["userId"], e["totalTime"]) for e in python] == [("1", 3600), ("2", 1800)]
    typescript = api.get("leaderboard/day", params={"language": "TypeScriptReact"}).json()
    assert [(e["userId"], e["totalTime"]) for e in typescript] == [("2", 1800)]


def test_bad_timeframe_and_query_are_400(api: RunningHost) -> None:
    response = api.get("leaderboard/year")
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid timeframe. Must be one of: day, week, month, allTime, last24h"}
    response = api.get("leaderboard/day", params={"limit": "ten"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "limit", "message": "Input should be a valid integer, unable to parse string as an integer"}
    ]
    assert api.get("leaderboard/day", params={"limit": 501}).status_code == 400
    assert api.get("leaderboard/day", params={"cursor": "!!"}).json() == {
        "message": "Invalid cursor: use the nextCursor of a previous page"
    }


def test_snapshot_needs_the_admin_key_and_is_once_per_period(api: RunningHost) -> None:
    code(api, "1", 10)
    assert api.post("snapshot/day").status_code == 401
    response = api.post("snapshot/day", headers=ADMIN)
    assert response.status_code == 200
    day_key = period_at("day", datetime.now(UTC), UTC_ZONE).key
    assert response.json() == {
        "success": True,
        "message": "Successfully created 1 snapshot records for day",
        "snapshotCount": 1,
        "periodKey": day_key,
    }
    again = api.post("snapshot/day", headers=ADMIN, data=b"")
    assert again.status_code == 409
    assert again.json() == {"message": f"A snapshot of day for {day_key} already exists"}
    assert api.db["leaderboardsnapshots"].count_documents({}) == 1


def test_rank_delta_and_history_come_from_the_latest_snapshot(api: RunningHost) -> None:
    code(api, "1", 30)
    code(api, "2", 20)
    assert api.post("snapshot/allTime", headers=ADMIN, json={}).status_code == 200
    code(api, "2", 20)  # user 2 overtakes user 1
    board = api.get("leaderboard/allTime").json()
    assert board == [entry("2", 1, 2400, previous=2), entry("1", 2, 1800, previous=1)]

    history = api.get("user/2/history/allTime").json()
    assert len(history) == 1
    assert history[0]["rank"] == 2
    assert history[0]["totalTime"] == 1200
    assert history[0]["periodKey"] == period_at("day", datetime.now(UTC), UTC_ZONE).key
    assert api.get("user/nobody/history/allTime").json() == []


def test_snapshots_all_takes_every_timeframe_once(api: RunningHost) -> None:
    code(api, "1", 10)
    first = api.post("snapshots/all", headers=ADMIN)
    assert first.status_code == 200
    assert first.json()["message"] == "Successfully took 5/5 snapshots"
    second = api.post("snapshots/all", headers=ADMIN)
    assert second.status_code == 409
    assert second.json()["message"] == "Successfully took 0/5 snapshots"


def test_top_ten_all_time_keeps_the_old_shape(api: RunningHost) -> None:
    code(api, "1", 10)
    code(api, "2", 20)
    assert api.get("leaderboard").json() == [
        {"username": "user2", "displayName": "user2", "totalCodingTime": 1200, "userId": "2"},
        {"username": "user1", "displayName": "user1", "totalCodingTime": 600, "userId": "1"},
    ]


def test_growth_compares_windows_of_equal_length(api: RunningHost) -> None:
    now = datetime.now(UTC)
    for user_id, display_name in (("1", "One"), ("2", None)):
        users.insert_user(api.db, user_id=user_id, username=f"user{user_id}", now=now)
        if display_name:
            users.set_fields_by_id(api.db, user_id, {"displayName": display_name})
    # Two hours this week and one the week before for 1, one hour this week for 2.
    record(api, "1", now - timedelta(hours=3), now - timedelta(hours=1), {})
    record(api, "1", now - timedelta(days=8, hours=1), now - timedelta(days=8), {})
    record(api, "2", now - timedelta(hours=2), now - timedelta(hours=1), {})
    rows = api.get("leaderboard/growth", params={"period": "week"}).json()
    # Both gained an hour: the tie goes to the smaller userId.
    assert rows == [
        {"userId": "1", "name": "One", "avatarUrl": None, "deltaHours": 1.0, "totalHours": 2.0},
        {"userId": "2", "name": "user2", "avatarUrl": None, "deltaHours": 1.0, "totalHours": 1.0},
    ]
    assert api.get("leaderboard/growth", params={"period": "year"}).status_code == 400


def test_the_snapshot_timer_records_each_closed_period_once(api: RunningHost) -> None:
    now = datetime.now(UTC)
    assert (
        api.session.post(api.base_url.removesuffix("/api") + "/admin/functions/leaderboard_snapshots").status_code
        == 202
    )
    expected = {
        f"{tf}|{previous_period(tf, now, UTC_ZONE).key}"
        for tf in ("day", "week", "month")  # type: ignore[arg-type]
    }
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    while datetime.now(UTC) < deadline and not expected <= {d["_id"] for d in api.db["snapshotruns"].find()}:
        time.sleep(0.1)
    runs = {d["_id"]: d for d in api.db["snapshotruns"].find()}
    assert expected <= set(runs)
    assert all(runs[run_id]["final"] for run_id in expected)


def test_going_private_leaves_the_boards_and_going_public_returns(api: RunningHost) -> None:
    code(api, "123456789012345678", 10)
    service = bearer(create_api_key(api.db, scope="service"))
    hidden = api.put("user-profile/123456789012345678", json={"isPublic": False}, headers=service)
    assert hidden.status_code == 200
    assert api.get("leaderboard/day").json() == []
    assert api.db["boards"].count_documents({"userId": "123456789012345678"}) == 0
    shown = api.put("user-profile/123456789012345678", json={"isPublic": True}, headers=service)
    assert shown.status_code == 200
    assert [e["userId"] for e in api.get("leaderboard/day").json()] == ["123456789012345678"]


def test_days_follow_the_board_time_zone_end_to_end(
    mongodb_uri: str, mongo: MongoClient[dict[str, Any]], tmp_path: Path
) -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    name = f"test_board_zone_{datetime.now(UTC):%H%M%S%f}"
    host = start_host(
        mongodb_uri=mongodb_uri, database=name, log_dir=tmp_path, extra_env={"BOARD_TIMEZONE": "Asia/Kolkata"}
    )
    try:
        now = datetime.now(UTC)
        # The latest local midnight that a 20-minute session can straddle and still end in the past.
        midnight = period_at("day", now - timedelta(minutes=11), kolkata).start
        body = {
            "userId": "123456789012345678",
            "username": "ada",
            "duration": 1200,
            "sessionDate": (midnight + timedelta(minutes=10)).isoformat(),
            "languages": {"python": 1200},
        }
        assert (
            host.post("coding-session", json=body, headers={"Authorization": f"Bearer {SERVICE_KEY}"}).status_code
            == 200
        )
        totals = {(d["board"], d["key"]): d["total"] for d in host.db["boards"].find({"board": "day"})}
        before, after = period_at("day", midnight - timedelta(minutes=1), kolkata), period_at("day", midnight, kolkata)
        assert totals == {("day", before.key): 600, ("day", after.key): 600}

        envelope = host.get("leaderboard/month", params={"envelope": 1}).json()
        month = period_at("month", now, kolkata)
        assert envelope["timezone"] == "Asia/Kolkata"
        assert (envelope["periodKey"], envelope["start"]) == (month.key, month.start.isoformat().replace("+00:00", "Z"))
    finally:
        host.stop()
        mongo.drop_database(name)


def test_a_private_users_history_is_theirs_alone(api: RunningHost) -> None:
    code(api, "123456789012345678", 30)
    assert api.post("snapshot/allTime", headers=ADMIN, json={}).status_code == 200
    service = bearer(create_api_key(api.db, scope="service"))
    assert api.put("user-profile/123456789012345678", json={"isPublic": False}, headers=service).status_code == 200

    hidden = api.get("user/123456789012345678/history/allTime")
    assert (hidden.status_code, hidden.json()) == (404, {"message": "User not found"})
    own = bearer(create_api_key(api.db, scope="ingest", user_id="123456789012345678"))
    assert [entry["rank"] for entry in api.get("user/123456789012345678/history/allTime", headers=own).json()] == [1]
    assert len(api.get("user/123456789012345678/history/allTime", headers=service).json()) == 1
