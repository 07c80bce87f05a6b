"""Importing a WakaTime heartbeats dump over real HTTP: counted once, past the age limit, within its size limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient

from tests.utils.factories import USER_A, USER_B, basic, bearer, create_api_key, create_editor_key, create_user
from tests.utils.hosts import RunningHost, start_host

IMPORT = f"user/{USER_A}/import/wakatime"
NOW = datetime.now(UTC).replace(microsecond=0)


def dump_heartbeat(at: datetime, *, category: str = "coding") -> dict[str, Any]:
    """A heartbeat as WakaTime's export writes it (ids for user agent and machine, not the names)."""
    return {
        "id": "0d4f3c2b-1a2b-4c3d-9e8f-7a6b5c4d3e2f",
        "branch": "main",
        "category": category,
        "created_at": at.isoformat(),
        "cursorpos": 1,
        "entity": "/home/ada/src/app/lib.rs",
        "is_write": True,
        "language": "Rust",
        "lineno": 10,
        "lines": 200,
        "machine_name_id": "370471e8-b6dd-41aa-a94e-d4fb59a7db85",
        "project": "app",
        "time": at.timestamp(),
        "type": "file",
        "user_agent_id": "a5b4c3d2-e1f0-4a9b-8c7d-6e5f4a3b2c1d",
        "user_id": "9c4a41c0-eb11-4cf5-84b8-d5b7f5e91bea",
    }


def dump(*days: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "user": {"username": "ada"},
        "range": {"start": 0, "end": 0},
        "days": [
            {"date": beats[0]["created_at"][:10] if beats else "2026-01-01", "heartbeats": beats} for beats in days
        ],
    }


def stretch(start: datetime, minutes: int) -> list[dict[str, Any]]:
    """Heartbeats every 2 minutes over ``minutes``."""
    return [dump_heartbeat(start + timedelta(minutes=m)) for m in range(0, minutes + 1, 2)]


def state(api: RunningHost) -> tuple[float, int, int, list[tuple[str, float]]]:
    user = api.db.users.find_one({"userId": USER_A})
    assert user is not None
    days = [(doc["day"], doc["seconds"]) for doc in api.db.dailytotals.find({"userId": USER_A}).sort("day", 1)]
    return (
        float(user["totalCodingTime"]),
        api.db.heartbeats.count_documents({}),
        api.db.codingsessions.count_documents({}),
        days,
    )


def test_a_dump_is_imported_past_the_age_limit_and_a_second_import_changes_nothing(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    service = bearer(create_api_key(api.db, scope="service"))
    old = (NOW - timedelta(days=40)).replace(hour=10, minute=0, second=0)
    recent = (NOW - timedelta(days=1)).replace(hour=10, minute=0, second=0)
    body = dump(stretch(old, 30), [*stretch(recent, 20), dump_heartbeat(recent, category="browsing")])
    files = {"file": ("heartbeats.json", json.dumps(body), "application/json")}
    first = api.post(IMPORT, files=files, headers=service)
    assert first.status_code == 200, first.text
    assert first.json() == {"imported": 27, "duplicates": 0, "ignored": 1, "refused": 0}
    after = state(api)
    assert after == (
        3000.0,
        27,
        25,
        [(old.date().isoformat(), 1800.0), (recent.date().isoformat(), 1200.0)],
    )
    board = api.get("leaderboard/allTime").json()
    assert [(entry["userId"], entry["totalTime"]) for entry in board] == [(USER_A, 3000.0)]
    assert api.db.heartbeats.count_documents({"imported": True}) == 27

    # The same file again, as a raw JSON body this time.
    second = api.post(IMPORT, json=body, headers=service)
    assert second.status_code == 200
    assert second.json() == {"imported": 0, "duplicates": 27, "ignored": 1, "refused": 0}
    assert state(api) == after


def test_imported_and_live_heartbeats_join_and_a_live_request_keeps_imported_ones(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    own = bearer(create_api_key(api.db, scope="ingest", user_id=USER_A))
    start = NOW - timedelta(minutes=40)
    assert api.post(IMPORT, json=dump(stretch(start, 10)), headers=own).status_code == 200
    # Eight minutes later, a live heartbeat from an editor: within the timeout of the dump's last one.
    editor = create_editor_key(api.db, USER_A)
    live = {"entity": "lib.rs", "type": "file", "time": (start + timedelta(minutes=18)).timestamp()}
    response = api.post("compat/wakatime/v1/users/current/heartbeats", json=live, headers=basic(editor))
    assert response.status_code == 201
    assert state(api)[0] == 18 * 60.0
    assert api.db.heartbeats.count_documents({"imported": True}) == 6


def test_malformed_heartbeats_are_refused_and_counted_and_a_non_dump_is_a_400(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    service = bearer(create_api_key(api.db, scope="service"))
    good = stretch(NOW - timedelta(days=2), 2)
    bad = [
        {"entity": "x"},
        "not a heartbeat",
        {**good[0], "time": "yesterday"},
        dump_heartbeat(NOW + timedelta(hours=1)),
    ]
    response = api.post(IMPORT, json=dump(good + bad), headers=service)
    assert response.status_code == 200
    assert response.json() == {"imported": 2, "duplicates": 0, "ignored": 0, "refused": 4}
    for body in ([], {"days": "x"}, {"days": [{"heartbeats": {}}]}, {"heartbeats": []}):
        refused = api.post(IMPORT, json=body, headers=service)
        assert refused.status_code == 400
        assert refused.json() == {
            "message": 'Not a WakaTime heartbeats dump: expected {"days": [{"date": ..., "heartbeats": [...]}]}'
        }
    assert api.db.heartbeats.count_documents({}) == 2


def test_only_the_user_or_a_service_imports_and_the_user_must_exist(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    body = dump(stretch(NOW - timedelta(hours=3), 4))
    assert api.post(IMPORT, json=body).status_code == 401
    bob = bearer(create_api_key(api.db, scope="ingest", user_id=USER_B))
    assert api.post(IMPORT, json=body, headers=bob).status_code == 403
    assert api.post(IMPORT, json=body, headers=bearer(create_editor_key(api.db, USER_A))).status_code == 403
    service = bearer(create_api_key(api.db, scope="service"))
    missing = api.post(f"user/{USER_B}/import/wakatime", json=body, headers=service)
    assert missing.status_code == 404
    assert missing.json() == {"message": "User not found"}
    assert api.db.heartbeats.count_documents({}) == 0


def test_a_dump_larger_than_max_body_bytes_is_taken(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    service = bearer(create_api_key(api.db, scope="service"))
    body = json.dumps(dump(stretch(NOW - timedelta(days=3), 2 * 1200)))
    assert len(body) > 262144
    response = api.post(IMPORT, data=body, headers={**service, "Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["imported"] == 1201


@pytest.fixture(scope="module")
def small_import_host(
    mongodb_uri: str, mongo: MongoClient[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHost]:
    host = start_host(
        mongodb_uri=mongodb_uri,
        database="test_import_limit",
        log_dir=tmp_path_factory.mktemp("host"),
        extra_env={"WAKATIME_IMPORT_MAX_BYTES": "2000"},
    )
    try:
        yield host
    finally:
        host.stop()
        mongo.drop_database("test_import_limit")


def test_a_dump_over_the_import_limit_is_a_413_and_imports_nothing(small_import_host: RunningHost) -> None:
    api = small_import_host
    create_user(api.db, USER_A, "ada")
    service = bearer(create_api_key(api.db, scope="service"))
    response = api.post(IMPORT, json=dump(stretch(NOW - timedelta(days=3), 20)), headers=service)
    assert response.status_code == 413
    assert response.json() == {"message": "The body is larger than 2000 bytes"}
    assert api.db.heartbeats.count_documents({}) == 0
