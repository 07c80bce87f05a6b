"""GET /user/{userId}/sessions over real HTTP: a range of a user's sessions, newest first, paged by cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.utils.factories import USER_A, USER_B, bearer, create_user, store_ingest_keys
from tests.utils.hosts import SERVICE_KEY, RunningHost

KEY_A = "dtk_ingest-key-of-user-a-for-the-history-tests"
KEY_B = "dtk_ingest-key-of-user-b-for-the-history-tests"
HOUR = timedelta(hours=1)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def ends(api: RunningHost, now: datetime) -> list[datetime]:
    """A has five 30-minute sessions that ended 1, 3, 5, 7 and 9 days ago (s1 the newest); B has one."""
    create_user(api.db, USER_A, "ada")
    create_user(api.db, USER_B, "grace")
    store_ingest_keys(api.db, {USER_A: KEY_A, USER_B: KEY_B})
    found = [now - timedelta(days=days) for days in (1, 3, 5, 7, 9)]
    for number, end in enumerate(found, start=1):
        body = {
            "userId": USER_A,
            "sessionId": f"s{number}",
            "duration": 1800.0,
            "sessionDate": iso(end),
            "languages": {"python": 1800.0},
            "projectName": "app",
            "editor": "vscode",
        }
        assert api.post("coding-session", json=body, headers=bearer(KEY_A)).status_code == 200
    other = {"userId": USER_B, "duration": 60.0, "sessionDate": iso(now - HOUR)}
    assert api.post("coding-session", json=other, headers=bearer(KEY_B)).status_code == 200
    return found


def item(number: int, end: datetime) -> dict[str, Any]:
    return {
        "sessionId": f"s{number}",
        "startTime": iso(end - timedelta(minutes=30)),
        "endTime": iso(end),
        "duration": 1800.0,
        "languages": {"python": 1800.0},
        "projectName": "app",
        "editor": "vscode",
    }


def history(api: RunningHost, query: str = "", key: str = KEY_A, user_id: str = USER_A) -> Any:
    return api.get(f"user/{user_id}/sessions{query}", headers=bearer(key))


def test_the_last_30_days_newest_first_by_default(api: RunningHost, ends: list[datetime]) -> None:
    response = history(api)
    assert response.status_code == 200
    body = response.json()
    assert body.pop("to") >= iso(ends[0])
    assert body.pop("from") < iso(ends[-1])
    assert body == {
        "userId": USER_A,
        "sessions": [item(number, end) for number, end in enumerate(ends, start=1)],
        "nextCursor": None,
    }


def test_from_and_to_bound_when_the_sessions_ended(api: RunningHost, ends: list[datetime]) -> None:
    query = f"?from={iso(ends[3])}&to={iso(ends[1])}"
    body = history(api, query).json()
    assert (body["from"], body["to"]) == (iso(ends[3]), iso(ends[1]))
    assert [session["sessionId"] for session in body["sessions"]] == ["s2", "s3", "s4"]


def test_pages_follow_the_cursor_to_the_end_without_gaps_or_repeats(api: RunningHost, ends: list[datetime]) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        body = history(api, "?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [session["sessionId"] for session in body["sessions"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert (seen, pages) == (["s1", "s2", "s3", "s4", "s5"], 3)


def test_a_service_key_reads_anyone_and_an_ingest_key_only_its_user(api: RunningHost, ends: list[datetime]) -> None:
    assert [s["sessionId"] for s in history(api, "?limit=1", SERVICE_KEY).json()["sessions"]] == ["s1"]
    refused = history(api, key=KEY_B)
    assert (refused.status_code, refused.json()) == (403, {"message": "This API key may not act for this user"})
    assert api.get(f"user/{USER_A}/sessions").status_code == 401
    missing = history(api, key=SERVICE_KEY, user_id="999999999999999999")
    assert (missing.status_code, missing.json()) == (404, {"message": "User not found"})


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("?limit=0", [{"field": "limit", "message": "Input should be greater than or equal to 1"}]),
        ("?limit=201", [{"field": "limit", "message": "Input should be less than or equal to 200"}]),
        ("?from=soon", [{"field": "from", "message": "Input should be a valid datetime or date, input is too short"}]),
        (
            "?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
            [{"field": "from", "message": "Must not be after to"}],
        ),
        (
            "?from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z",
            [{"field": "from", "message": "The range is at most 366 days"}],
        ),
        ("?to=2200-01-01T00:00:00Z", [{"field": "to", "message": "Must be a time between 2000-01-01 and 2100-01-01"}]),
    ],
)
def test_bad_queries_are_a_400_naming_each_problem(
    api: RunningHost, ends: list[datetime], query: str, errors: list[dict[str, str]]
) -> None:
    response = history(api, query)
    assert (response.status_code, response.json()) == (400, {"message": "Invalid query parameters", "errors": errors})


def test_a_cursor_that_is_not_one_of_ours_is_a_400(api: RunningHost, ends: list[datetime]) -> None:
    response = history(api, "?cursor=bm90LWEtY3Vyc29y")
    assert (response.status_code, response.json()) == (
        400,
        {"message": "Invalid cursor: use the nextCursor of a previous page"},
    )
