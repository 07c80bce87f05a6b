"""Live presence over real HTTP: POST /heartbeat, GET /live and /live?board=, and the board page's files.

Heartbeats are sent with ``at`` a few seconds in the past, so that every instant in the answers is known,
and back to back: the module's host takes them without a gap (HEARTBEAT_MIN_GAP_SECONDS=0), but for the
test of the gap, which runs a host with the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import sleep
from typing import Any

import pytest
from pymongo import MongoClient

from tests.api.test_wakatime import SINGLE, cli_headers, heartbeat
from tests.utils.factories import USER_A, USER_B, bearer, create_editor_key, create_user, store_ingest_keys
from tests.utils.hosts import SERVICE_KEY, RunningHost, host_on_its_own_database

KEY_A = "dtk_ingest-key-of-user-a-for-the-live-tests"
KEY_B = "dtk_ingest-key-of-user-b-for-the-live-tests"
USER_C = "333333333333333333"
KEY_C = "dtk_ingest-key-of-user-c-for-the-live-tests"


def _users(host: RunningHost) -> RunningHost:
    """A and C public, B private, each with an ingest key."""
    create_user(host.db, USER_A, "ada", displayName="Ada")
    create_user(host.db, USER_B, "grace", isPublic=False)
    create_user(host.db, USER_C, "linus")
    store_ingest_keys(host.db, {USER_A: KEY_A, USER_B: KEY_B, USER_C: KEY_C})
    return host


@pytest.fixture(scope="module")
def module_host(
    mongodb_uri: str, mongo: MongoClient[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHost]:
    with host_on_its_own_database(
        mongodb_uri=mongodb_uri,
        mongo=mongo,
        log_dir=tmp_path_factory.mktemp("host"),
        extra_env={"HEARTBEAT_MIN_GAP_SECONDS": "0"},
    ) as host:
        yield host


@pytest.fixture
def api(api: RunningHost) -> RunningHost:
    return _users(api)


@pytest.fixture
def gapped(mongodb_uri: str, mongo: MongoClient[dict[str, Any]], tmp_path: Path) -> Iterator[RunningHost]:
    """A host with the default gap between a user's heartbeats."""
    with host_on_its_own_database(mongodb_uri=mongodb_uri, mongo=mongo, log_dir=tmp_path) as host:
        yield _users(host)


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def beat(api: RunningHost, key: str, user_id: str, **fields: Any) -> Any:
    return api.post("heartbeat", json={"userId": user_id, **fields}, headers=bearer(key))


def session(api: RunningHost, key: str, user_id: str, end: datetime, seconds: float) -> None:
    body = {"userId": user_id, "duration": seconds, "sessionDate": iso(end), "languages": {"python": seconds}}
    response = api.post("coding-session", json=body, headers=bearer(key))
    assert response.status_code == 200, response.text


def seconds_today(start: datetime, end: datetime) -> float:
    """Seconds of [start, end] on the current UTC day (the board day): exact even just after midnight."""
    midnight = datetime.combine(end.date(), time(0), tzinfo=UTC)
    return max(0.0, (end - max(start, midnight)).total_seconds())


def stored_counts(api: RunningHost) -> dict[str, int]:
    names = ("codingsessions", "dailytotals", "boards", "heartbeats", "presence")
    return {name: api.db[name].count_documents({}) for name in names}


# POST /heartbeat


def test_a_heartbeat_writes_the_users_presence_and_nothing_else(api: RunningHost, now: datetime) -> None:
    user_before = api.db.users.find_one({"userId": USER_A})
    at = now - timedelta(seconds=5)
    sent = datetime.now(UTC) - timedelta(milliseconds=1)
    response = beat(
        api, KEY_A, USER_A, language="TypeScriptReact", editor="vscode", project="app", sessionId="w1", at=iso(at)
    )
    assert (response.status_code, response.json()) == (
        200,
        {"userId": USER_A, "at": iso(at), "liveUntil": iso(at + timedelta(seconds=120))},
    )
    [stored] = api.db.presence.find({})
    # When the server took it (the gap between a user's heartbeats is counted from it).
    assert sent <= stored.pop("receivedAt") <= datetime.now(UTC)
    assert [stored] == [
        {
            "_id": USER_A,
            "since": at,
            "lastSeen": at,
            "language": "typescript",
            "editor": "vscode",
            "project": "app",
            "sessionId": "w1",
        }
    ]
    # No time is credited by a heartbeat: no session, no daily total, no board entry, the user unchanged.
    assert stored_counts(api) == {"codingsessions": 0, "dailytotals": 0, "boards": 0, "heartbeats": 0, "presence": 1}
    assert api.db.users.find_one({"userId": USER_A}) == user_before


def test_a_heartbeat_needs_the_users_own_ingest_key_or_a_service_key(api: RunningHost) -> None:
    assert api.post("heartbeat", json={"userId": USER_A}).status_code == 401
    refused = beat(api, KEY_B, USER_A)
    assert (refused.status_code, refused.json()) == (403, {"message": "This API key may not act for this user"})
    editor_key = create_editor_key(api.db, USER_A)
    assert beat(api, editor_key, USER_A).status_code == 403
    assert api.db.presence.count_documents({}) == 0
    assert beat(api, SERVICE_KEY, USER_A).status_code == 200
    assert api.db.presence.count_documents({}) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"userId": "ada"}, "userId", "String should match pattern '^[0-9]{15,32}$'"),
        ({"userId": USER_A, "language": 7}, "language", "Input should be a valid string"),
        ({"userId": USER_A, "language": ""}, "language", "String should have at least 1 character"),
        ({"userId": USER_A, "project": "p" * 201}, "project", "String should have at most 200 characters"),
        (
            {"userId": USER_A, "at": "yesterday"},
            "at",
            "Input should be a valid datetime or date, input is too short",
        ),
    ],
)
def test_a_bad_heartbeat_is_a_400_and_stores_nothing(
    api: RunningHost, fields: dict[str, Any], field: str, message: str
) -> None:
    response = api.post("heartbeat", json=fields, headers=bearer(SERVICE_KEY))
    assert (response.status_code, response.json()) == (
        400,
        {"message": "Invalid request body", "errors": [{"field": field, "message": message}]},
    )
    assert api.db.presence.count_documents({}) == 0


def test_a_heartbeat_too_old_to_be_live_or_too_far_ahead_is_a_400(api: RunningHost, now: datetime) -> None:
    def refused(at: str, message: str) -> None:
        response = beat(api, KEY_A, USER_A, at=at)
        assert (response.status_code, response.json()) == (
            400,
            {"message": "Invalid heartbeat", "errors": [{"field": "at", "message": message}]},
        )

    refused(iso(now - timedelta(minutes=3)), "Older than the presence TTL (120 seconds)")
    refused(iso(now + timedelta(minutes=6)), "More than 5 minutes in the future")
    refused("0001-01-01T00:00:00+01:00", "Must be a time between 2000-01-01 and 2100-01-01")
    assert api.db.presence.count_documents({}) == 0


def test_a_second_heartbeat_of_a_user_within_the_gap_is_refused_and_another_user_is_not(
    gapped: RunningHost,
) -> None:
    api = gapped
    assert beat(api, KEY_A, USER_A).status_code == 200
    stored = api.db.presence.find_one({"_id": USER_A})
    refused = beat(api, KEY_A, USER_A)
    assert (refused.status_code, refused.json()) == (
        429,
        {"message": "Too many heartbeats: at most one every 2 seconds for a user"},
    )
    assert refused.headers["Retry-After"] == "2"
    assert api.db.presence.find_one({"_id": USER_A}) == stored
    assert beat(api, KEY_C, USER_C).status_code == 200
    sleep(2)
    assert beat(api, KEY_A, USER_A).status_code == 200


def test_a_wakatime_heartbeat_refreshes_presence_too(api: RunningHost, now: datetime) -> None:
    key = create_editor_key(api.db, USER_A)
    response = api.post(SINGLE, json=heartbeat(now - timedelta(seconds=10)), headers=cli_headers(key))
    assert response.status_code == 201, response.text
    [user] = api.get("live").json()["users"]
    assert (user["userId"], user["language"], user["editor"], user["lastSeen"]) == (
        USER_A,
        "python",
        "vim",
        iso(now - timedelta(seconds=10)),
    )


# GET /live


def test_live_lists_the_public_users_coding_now_with_todays_time_so_far(api: RunningHost, now: datetime) -> None:
    first, last = now - timedelta(seconds=100), now - timedelta(seconds=40)
    assert beat(api, KEY_A, USER_A, language="python", editor="vscode", at=iso(first)).status_code == 200
    assert beat(api, KEY_A, USER_A, language="go", editor="vscode", at=iso(last)).status_code == 200
    assert beat(api, KEY_B, USER_B, language="rust").status_code == 200  # private: counted, never named
    response = api.get("live")
    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", body.pop("generatedAt"))
    assert body == {
        "ttlSeconds": 120,
        "timezone": "UTC",
        "count": 1,
        "users": [
            {
                "userId": USER_A,
                "username": "ada",
                "displayName": "Ada",
                "language": "go",
                "editor": "vscode",
                "since": iso(first),
                "lastSeen": iso(last),
                "todayTime": seconds_today(first, last),
            }
        ],
    }
    assert api.get("stats/global/live").json()["usersOnline"] == 2


def test_live_lists_the_latest_of_those_coding_now_up_to_the_limit(api: RunningHost, now: datetime) -> None:
    for seconds, key, user_id in ((30, KEY_A, USER_A), (20, KEY_B, USER_B), (10, KEY_C, USER_C)):
        assert beat(api, key, user_id, at=iso(now - timedelta(seconds=seconds))).status_code == 200
    body = api.get("live?limit=1").json()
    # B (private) is neither counted nor named; C's heartbeat is the latest.
    assert (body["count"], [user["userId"] for user in body["users"]]) == (2, [USER_C])
    assert [user["userId"] for user in api.get("live").json()["users"]] == [USER_C, USER_A]


def test_a_live_board_adds_the_open_stretch_and_the_session_replaces_it(api: RunningHost, now: datetime) -> None:
    session(api, KEY_C, USER_C, now - timedelta(minutes=5), 90)
    assert beat(api, KEY_A, USER_A, language="python", at=iso(now - timedelta(seconds=100))).status_code == 200
    assert beat(api, KEY_A, USER_A, language="python", at=iso(now - timedelta(seconds=40))).status_code == 200

    def entries() -> list[tuple[str, int, float, float, bool, str | None]]:
        response = api.get("live?board=allTime")
        assert response.status_code == 200
        return [
            (e["userId"], e["rank"], e["totalTime"], e["creditedTime"], e["live"], e["language"])
            for e in response.json()["entries"]
        ]

    # A has no credited time yet: 60 seconds in progress, ranked below C's 90 credited.
    assert entries() == [(USER_C, 1, 90.0, 90.0, False, None), (USER_A, 2, 60.0, 0.0, True, "python")]

    # VS Code closes: the session covers the stretch, and the board counts it once (120 s, not 180).
    session(api, KEY_A, USER_A, now - timedelta(seconds=30), 120)
    assert entries() == [(USER_A, 1, 120.0, 120.0, True, "python"), (USER_C, 2, 90.0, 90.0, False, None)]

    # A codes on: the new stretch starts at the end of the credited session.
    assert beat(api, KEY_A, USER_A, language="python", at=iso(now)).status_code == 200
    assert entries() == [(USER_A, 1, 150.0, 120.0, True, "python"), (USER_C, 2, 90.0, 90.0, False, None)]


def test_a_live_board_has_the_board_period_and_leaves_private_users_off(api: RunningHost, now: datetime) -> None:
    assert beat(api, KEY_B, USER_B).status_code == 200
    assert beat(api, KEY_C, USER_C, language="c").status_code == 200
    response = api.get("live?board=week&limit=5")
    assert response.status_code == 200
    body = response.json()
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(0), tzinfo=UTC)
    iso_year, iso_week, _ = now.isocalendar()
    assert {key: body[key] for key in ("timeframe", "periodKey", "start", "end", "timezone", "ttlSeconds")} == {
        "timeframe": "week",
        "periodKey": f"{iso_year}-W{iso_week:02d}",
        "start": iso(monday),
        "end": iso(monday + timedelta(days=7)),
        "timezone": "UTC",
        "ttlSeconds": 120,
    }
    assert body["entries"] == [
        {
            "userId": USER_C,
            "username": "linus",
            "displayName": "linus",
            "rank": 1,
            "totalTime": 0.0,
            "creditedTime": 0.0,
            "rankDelta": 0,
            "previousRank": None,
            "live": True,
            "language": "c",
        }
    ]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("board=year", "board", "Input should be 'day', 'week', 'month', 'allTime' or 'last24h'"),
        ("board=day&limit=0", "limit", "Input should be greater than or equal to 1"),
        ("limit=101", "limit", "Input should be less than or equal to 100"),
    ],
)
def test_bad_live_queries_are_a_400(api: RunningHost, query: str, field: str, message: str) -> None:
    response = api.get(f"live?{query}")
    assert (response.status_code, response.json()) == (
        400,
        {"message": "Invalid query parameters", "errors": [{"field": field, "message": message}]},
    )


def test_polling_with_if_none_match_is_a_304_until_something_changes(api: RunningHost) -> None:
    assert beat(api, KEY_A, USER_A).status_code == 200
    for path in ("live", "live?board=day"):
        first = api.get(path)
        tag = first.headers["ETag"]
        assert (first.status_code, first.headers["Cache-Control"]) == (200, "no-cache")
        # generatedAt differs on every answer, the tag does not.
        assert api.get(path).headers["ETag"] == tag
        for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
            unchanged = api.get(path, headers={"If-None-Match": header})
            assert (unchanged.status_code, unchanged.content, unchanged.headers["ETag"]) == (304, b"", tag)
        assert api.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    tags = {path: api.get(path).headers["ETag"] for path in ("live", "live?board=day")}
    assert beat(api, KEY_C, USER_C).status_code == 200
    for path, tag in tags.items():
        changed = api.get(path, headers={"If-None-Match": tag})
        assert changed.status_code == 200 and changed.headers["ETag"] != tag
        assert USER_C in changed.text


# The board page


def test_the_board_page_and_its_files_come_from_this_origin_only(api: RunningHost) -> None:
    page = api.get("board")
    assert (page.status_code, page.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert re.findall(r'(?:src|href)="([^"]+)"', page.text) == ["board.css", "board.js"]
    script = api.get("board.js")
    assert (script.status_code, script.headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    style = api.get("board.css")
    assert (style.status_code, style.headers["Content-Type"]) == (200, "text/css; charset=utf-8")
    # Names reach the page only as text: the script never parses markup.
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script.text)
    assert "textContent" in script.text
