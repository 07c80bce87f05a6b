"""The WakaTime-compatible API over real HTTP, sent exactly as wakatime-cli sends it.

wakatime-cli (github.com/wakatime/wakatime-cli) posts up to 25 heartbeats as a JSON array to
``<api_url>/users/current/heartbeats.bulk`` with ``Authorization: Basic base64(<key>)``; it takes 201 and
202 as done, drops a 400 and queues every other status (whole answer or per item) to send again.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.utils.factories import USER_A, USER_B, basic, bearer, create_api_key, create_editor_key, create_user
from tests.utils.hosts import RunningHost

BULK = "compat/wakatime/v1/users/current/heartbeats.bulk"
SINGLE = "compat/wakatime/v1/users/current/heartbeats"
TODAY = "compat/wakatime/v1/users/current/statusbar/today"
ALL_TIME = "compat/wakatime/v1/users/current/all_time_since_today"
USER_AGENT = "wakatime/v1.98.0 (linux-6.8.0-x86_64) go1.22.5 vim/9.1.0 vim-wakatime/11.2.0"


def _midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is now about noon, so that the last hour is all on the local today."""
    offset = 12 - now.hour
    if offset > 14:
        offset -= 24
    return f"Etc/GMT{-offset:+d}"  # POSIX sign: Etc/GMT-3 is UTC+3


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def editor_key(api: RunningHost, now: datetime) -> str:
    create_user(api.db, USER_A, "ada", timezone=_midday_zone(now))
    return create_editor_key(api.db, USER_A)


def heartbeat(at: datetime, *, category: str = "coding", language: str | None = "Python") -> dict[str, Any]:
    """One heartbeat with every field wakatime-cli sends for a file."""
    beat: dict[str, Any] = {
        "branch": "main",
        "category": category,
        "cursorpos": 7,
        "dependencies": ["requests"],
        "entity": "/home/ada/src/app/main.py",
        "is_write": False,
        "lineno": 42,
        "lines": 120,
        "project": "app",
        "project_root_count": 4,
        "time": at.timestamp(),
        "type": "file",
        "user_agent": USER_AGENT,
    }
    if language is not None:
        beat["language"] = language
    return beat


def cli_headers(key: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Machine-Name": "ada-laptop",
        **basic(key),
    }


def send(api: RunningHost, key: str, beats: list[dict[str, Any]]) -> list[list[Any]]:
    response = api.post(BULK, json=beats, headers=cli_headers(key))
    assert response.status_code == 201, response.text
    responses: list[list[Any]] = response.json()["responses"]
    return responses


def statuses(responses: list[list[Any]]) -> list[int]:
    return [status for _, status in responses]


def half_hour(start: datetime) -> list[dict[str, Any]]:
    """16 heartbeats 2 minutes apart: 30 minutes of one file."""
    return [heartbeat(start + timedelta(minutes=2 * i)) for i in range(16)]


def credited(api: RunningHost) -> float:
    user = api.db.users.find_one({"userId": USER_A})
    assert user is not None
    return float(user["totalCodingTime"])


def test_half_an_hour_of_heartbeats_credits_the_joined_interval_on_the_boards_and_the_status_bar(
    api: RunningHost, editor_key: str, now: datetime
) -> None:
    start = now - timedelta(minutes=31)
    responses = send(api, editor_key, half_hour(start))
    assert statuses(responses) == [201] * 16
    first = responses[0][0]["data"]
    assert first == {
        "id": first["id"],
        "entity": "/home/ada/src/app/main.py",
        "type": "file",
        "category": "coding",
        "time": start.timestamp(),
        "project": "app",
        "branch": "main",
        "language": "Python",
        "is_write": False,
    }
    assert credited(api) == 1800.0
    board = api.get("leaderboard/allTime").json()
    assert [(entry["userId"], entry["totalTime"]) for entry in board] == [(USER_A, 1800.0)]
    # 15 pair sessions [t, t + 2 min], the time to the earlier heartbeat's language, the editor from the user agent.
    stored = list(api.db.codingsessions.find({}, {"_id": 0, "startTime": 1, "endTime": 1, "languages": 1, "editor": 1}))
    assert len(stored) == 15
    assert {(s["endTime"] - s["startTime"]).total_seconds() for s in stored} == {120.0}
    assert {(tuple(s["languages"].items()), s["editor"]) for s in stored} == {((("python", 120.0),), "vim")}
    beat = api.db.heartbeats.find_one({"time": start})
    assert beat is not None
    assert set(beat) == {"_id", "userId", "time", "category", "language", "project", "editor", "imported", "createdAt"}
    assert (beat["userId"], beat["category"], beat["language"], beat["project"], beat["editor"], beat["imported"]) == (
        USER_A,
        "coding",
        "python",
        "app",
        "vim",
        False,
    )

    response = api.get(TODAY, headers=cli_headers(editor_key))
    assert response.status_code == 200
    today = response.json()
    half = {"decimal": "0.50", "hours": 0, "minutes": 30, "seconds": 0, "text": "30 mins", "total_seconds": 1800.0}
    assert today["data"]["grand_total"] == {**half, "digital": "0:30"}
    assert today["data"]["categories"] == [{**half, "digital": "0:30:00", "name": "Coding", "percent": 100.0}]
    assert today["data"]["languages"] == [{**half, "digital": "0:30:00", "name": "python", "percent": 100.0}]
    zone = ZoneInfo(_midday_zone(now))
    local_day = now.astimezone(zone).date()
    assert today["data"]["range"] == {
        "date": local_day.isoformat(),
        "start": datetime.combine(local_day, time(0), zone).astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "end": datetime.combine(local_day + timedelta(days=1), time(0), zone)
        .astimezone(UTC)
        .isoformat()
        .replace("+00:00", "Z"),
        "text": f"{local_day:%a %b} {local_day.day} {local_day.year}",
        "timezone": _midday_zone(now),
    }
    assert today["has_team_features"] is False

    response = api.get(ALL_TIME, headers=cli_headers(editor_key))
    assert response.status_code == 200
    all_time = response.json()["data"]
    assert {key: all_time[key] for key in ("decimal", "digital", "text", "total_seconds", "timeout")} == {
        "decimal": "0.50",
        "digital": "0:30",
        "text": "30 mins",
        "total_seconds": 1800.0,
        "timeout": 15,
    }


def test_deleting_the_user_deletes_their_heartbeats(api: RunningHost, editor_key: str, now: datetime) -> None:
    send(api, editor_key, half_hour(now - timedelta(minutes=40)))
    service = bearer(create_api_key(api.db, scope="service"))
    response = api.delete(f"user/{USER_A}", json={"confirm": USER_A}, headers=service)
    assert response.status_code == 200
    assert (response.json()["deleted"]["heartbeats"], response.json()["deleted"]["codingsessions"]) == (16, 15)
    assert api.db.heartbeats.count_documents({}) == 0


def test_replayed_heartbeats_are_answered_202_and_change_nothing(
    api: RunningHost, editor_key: str, now: datetime
) -> None:
    beats = half_hour(now - timedelta(minutes=40))
    send(api, editor_key, beats)
    before = (api.db.heartbeats.count_documents({}), api.db.codingsessions.count_documents({}), credited(api))
    again = send(api, editor_key, beats)
    assert statuses(again) == [202] * 16
    assert [item["data"]["id"] for item, _ in again] == [
        doc["_id"].split("|", 1)[1] for doc in api.db.heartbeats.find().sort("time", 1)
    ]
    assert (api.db.heartbeats.count_documents({}), api.db.codingsessions.count_documents({}), credited(api)) == before
    assert before == (16, 15, 1800.0)


def test_late_and_out_of_order_heartbeats_land_in_their_place(api: RunningHost, editor_key: str, now: datetime) -> None:
    t0 = now - timedelta(hours=2)
    at = [t0 + timedelta(minutes=minutes) for minutes in (22, 0, 2, 20)]  # out of order in one request
    send(api, editor_key, [heartbeat(moment) for moment in at])
    # Two intervals of 2 minutes: the 18 minutes between 2 and 20 are over the 15-minute timeout.
    assert credited(api) == 240.0
    # A heartbeat at 11 minutes arrives late (from the offline queue): it joins both sides, 22 minutes in all.
    assert statuses(send(api, editor_key, [heartbeat(t0 + timedelta(minutes=11))])) == [201]
    assert credited(api) == 1320.0
    # One more inside what is already credited changes nothing.
    send(api, editor_key, [heartbeat(t0 + timedelta(minutes=1))])
    assert credited(api) == 1320.0


def test_only_coding_debugging_and_writing_tests_count(api: RunningHost, editor_key: str, now: datetime) -> None:
    t0 = now - timedelta(hours=1)
    categories = ["coding", "browsing", "debugging", "meeting", "Writing Tests", "code reviewing"]
    beats = [heartbeat(t0 + timedelta(minutes=2 * i), category=c) for i, c in enumerate(categories)]
    assert statuses(send(api, editor_key, beats)) == [201] * 6
    assert sorted(doc["category"] for doc in api.db.heartbeats.find()) == ["coding", "debugging", "writing tests"]
    # coding 0 - debugging 4 - writing tests 8: joined, 8 minutes.
    assert credited(api) == 480.0


def test_bad_old_and_future_heartbeats_are_refused_per_item_and_not_stored(
    api: RunningHost, editor_key: str, now: datetime
) -> None:
    beats: list[Any] = [
        heartbeat(now - timedelta(minutes=3)),
        heartbeat(now - timedelta(days=30, minutes=1)),
        heartbeat(now + timedelta(minutes=6)),
        {key: value for key, value in heartbeat(now).items() if key != "time"},
        "not a heartbeat",
        heartbeat(now - timedelta(minutes=1)),
    ]
    responses = send(api, editor_key, beats)
    assert statuses(responses) == [201, 400, 400, 400, 400, 201]
    assert [item for item, status in responses if status == 400] == [
        {"error": "The heartbeat is older than 30 days"},
        {"error": "The heartbeat is more than 5 minutes in the future"},
        {"error": "Invalid heartbeat: time: Field required"},
        {"error": "Each heartbeat must be a JSON object"},
    ]
    assert sorted(doc["time"] for doc in api.db.heartbeats.find()) == [
        now - timedelta(minutes=3),
        now - timedelta(minutes=1),
    ]
    assert credited(api) == 120.0


def test_a_bulk_request_takes_25_heartbeats_and_answers_429_for_each_one_past_them(
    api: RunningHost, editor_key: str, now: datetime
) -> None:
    beats = [heartbeat(now - timedelta(minutes=60) + timedelta(minutes=2 * i)) for i in range(27)]
    responses = send(api, editor_key, beats)
    assert statuses(responses) == [201] * 25 + [429, 429]
    assert responses[25][0] == {"error": "Too many heartbeats: at most 25 a request"}
    assert api.db.heartbeats.count_documents({}) == 25
    # The client queues the two and sends them again: they join the rest.
    assert statuses(send(api, editor_key, beats[25:])) == [201, 201]
    assert credited(api) == 26 * 120.0


def test_a_bulk_body_that_is_not_an_array_is_a_400(api: RunningHost, editor_key: str) -> None:
    response = api.post(BULK, json={"time": 1}, headers=cli_headers(editor_key))
    assert response.status_code == 400
    message = "The body must be a JSON array of heartbeats"
    assert response.json() == {"message": message, "error": message}
    assert api.db.heartbeats.count_documents({}) == 0


def test_one_heartbeat_201_its_replay_202_and_a_bad_one_400(api: RunningHost, editor_key: str, now: datetime) -> None:
    beat = heartbeat(now - timedelta(minutes=1))
    first = api.post(SINGLE, json=beat, headers=cli_headers(editor_key))
    assert first.status_code == 201
    assert first.json()["data"]["time"] == beat["time"]
    assert api.post(SINGLE, json=beat, headers=cli_headers(editor_key)).status_code == 202
    bad = api.post(SINGLE, json={**beat, "time": "soon"}, headers=cli_headers(editor_key))
    assert bad.status_code == 400
    assert bad.json() == {
        "message": "Invalid heartbeat: time: Input should be a valid number",
        "error": "Invalid heartbeat: time: Input should be a valid number",
        "errors": [{"field": "time", "message": "Input should be a valid number"}],
    }
    assert api.db.heartbeats.count_documents({}) == 1


def test_the_key_by_basic_auth_by_api_key_and_by_bearer_and_never_echoed_or_logged(
    api: RunningHost, editor_key: str, now: datetime
) -> None:
    beat = heartbeat(now - timedelta(minutes=1))
    assert api.post(SINGLE, json=beat, params={"api_key": editor_key}).status_code == 201
    assert api.post(SINGLE, json=beat, headers=bearer(editor_key)).status_code == 202
    assert api.post(SINGLE, json=beat, headers=basic(editor_key)).status_code == 202
    # RFC 7617 clients send "<user>:<password>": the key is the user.
    assert api.post(SINGLE, json=beat, headers=basic(editor_key + ":")).status_code == 202

    unknown = "waka_" + "0" * 8 + "-0000-4000-8000-" + "0" * 12
    for headers, params, message in (
        ({}, {}, "Authentication required: send Authorization: Basic base64(<API key>) or ?api_key= <API key>"),
        (basic(unknown), {}, "Invalid or revoked API key"),
        ({}, {"api_key": unknown}, "Invalid or revoked API key"),
        ({"Authorization": "Basic !!!"}, {}, "Malformed Authorization header: expected Basic base64(<API key>)"),
    ):
        response = api.post(SINGLE, json=beat, headers=headers, params=params)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Basic realm="DisTrack"'
        assert response.json() == {"message": message, "error": message}
    assert editor_key not in api.log() and unknown not in api.log()
    assert api.db.heartbeats.count_documents({}) == 1


def test_an_editor_key_opens_only_the_wakatime_routes(api: RunningHost, editor_key: str, now: datetime) -> None:
    session = {"userId": USER_A, "sessionDate": now.isoformat(), "duration": 60, "languages": {"python": 60}}
    refused = api.post("coding-session", json=session, headers=bearer(editor_key))
    assert refused.status_code == 403
    assert refused.json() == {"message": "Editor keys only work on the WakaTime routes (/api/compat/wakatime/v1)"}
    assert api.post(f"user/{USER_A}/editor-keys", headers=bearer(editor_key)).status_code == 403
    assert api.get("leaderboard/day", headers=bearer(editor_key)).status_code == 200  # public: as no key
    assert api.db.codingsessions.count_documents({}) == 0
    # A DisTrack key of the user is not refused on the WakaTime routes.
    ingest = create_api_key(api.db, scope="ingest", user_id=USER_A)
    assert api.get(TODAY, headers=bearer(ingest)).status_code == 200


def test_users_path_names_the_keys_own_user_or_a_service_keys_choice(
    api: RunningHost, editor_key: str, now: datetime
) -> None:
    create_user(api.db, USER_B, "bob")
    beat = heartbeat(now - timedelta(minutes=1))
    own = api.post(f"compat/wakatime/v1/users/{USER_A}/heartbeats", json=beat, headers=basic(editor_key))
    assert own.status_code == 201
    other = api.post(f"compat/wakatime/v1/users/{USER_B}/heartbeats", json=beat, headers=basic(editor_key))
    assert other.status_code == 403
    service = bearer(create_api_key(api.db, scope="service"))
    current = api.get(TODAY, headers=service)
    assert current.status_code == 400
    assert current.json()["error"] == "A service key names the user: /users/<userId>/..."
    assert api.get(f"compat/wakatime/v1/users/{USER_B}/statusbar/today", headers=service).status_code == 200
    assert [doc["userId"] for doc in api.db.heartbeats.find()] == [USER_A]


def test_a_vscode_session_and_heartbeats_over_the_same_hour_credit_the_hour_once(
    api: RunningHost, editor_key: str, now: datetime
) -> None:
    extension = create_api_key(api.db, scope="ingest", user_id=USER_A)
    session = {"userId": USER_A, "sessionDate": now.isoformat(), "duration": 3600, "languages": {"typescript": 3600}}
    assert api.post("coding-session", json=session, headers=bearer(extension)).status_code == 200
    beats = [heartbeat(now - timedelta(minutes=60) + timedelta(minutes=2 * i)) for i in range(31)]
    send(api, editor_key, beats[:25])
    send(api, editor_key, beats[25:])
    assert credited(api) == 3600.0
    board = api.get("leaderboard/allTime").json()
    assert [(entry["userId"], entry["totalTime"]) for entry in board] == [(USER_A, 3600.0)]
    today = api.get(TODAY, headers=cli_headers(editor_key)).json()["data"]
    assert today["grand_total"]["total_seconds"] == 3600.0
    assert {item["name"]: item["total_seconds"] for item in today["languages"]} == {
        "python": 1800.0,
        "typescript": 1800.0,
    }
