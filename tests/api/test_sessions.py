"""Session ingest over real HTTP: idempotency, overlap, day split, late sessions, validation, auth, bulk."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from tests.utils.factories import bearer, store_ingest_keys
from tests.utils.hosts import SERVICE_KEY, RunningHost
from tracking.domain.sessions import session_hash

USER = "123456789012345678"
OTHER = "876543210987654321"
USER_KEY = "dtk_ingest-key-of-user-123456789012345678"
OTHER_KEY = "dtk_ingest-key-of-user-876543210987654321"


@pytest.fixture
def api(api: RunningHost) -> RunningHost:
    """The module's host with an ingest key for each of the two users."""
    store_ingest_keys(api.db, {USER: USER_KEY, OTHER: OTHER_KEY})
    return api


def auth(key: str = USER_KEY) -> dict[str, str]:
    return bearer(key)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def utc_midnight(days_ago: int) -> datetime:
    return datetime.combine(datetime.now(UTC).date() - timedelta(days=days_ago), time(0), tzinfo=UTC)


def extension_body(
    end: datetime, duration: float, languages: dict[str, float] | None = None, **extra: Any
) -> dict[str, Any]:
    """The exact body the VS Code extension sends (contract section 4.1)."""
    return {
        "userId": USER,
        "username": "EFU",
        "duration": duration,
        "sessionDate": iso(end),
        "languages": languages if languages is not None else {"python": duration},
        "streakData": {"currentStreak": 0, "longestStreak": 0},
        **extra,
    }


def post_session(api: RunningHost, body: dict[str, Any], key: str = USER_KEY) -> Any:
    return api.post("coding-session", json=body, headers=auth(key))


def user_doc(api: RunningHost, user_id: str = USER) -> dict[str, Any]:
    document = api.db["users"].find_one({"userId": user_id})
    assert document is not None
    return document


def days(api: RunningHost, user_id: str = USER) -> dict[str, dict[str, Any]]:
    return {doc["day"]: doc for doc in api.db["dailytotals"].find({"userId": user_id})}


def test_a_session_from_the_extension_is_recorded_with_every_derived_field(api: RunningHost) -> None:
    end = ms(utc_midnight(1) + timedelta(hours=12))
    response = post_session(api, extension_body(end, 1800.5, {"typescriptreact": 1000.25, "plaintext": 800.25}))

    expected_id = session_hash(USER, end - timedelta(seconds=1800.5), end)
    assert response.status_code == 200
    assert response.json() == {"message": "Session recorded successfully!", "sessionId": expected_id}
    [session] = api.db["codingsessions"].find({}, {"_id": 0, "createdAt": 0})
    assert session == {
        "sessionKey": f"{USER}|{expected_id}",
        "sessionId": expected_id,
        "userId": USER,
        "username": "Anonymous",
        "startTime": end - timedelta(seconds=1800.5),
        "endTime": end,
        "duration": 1800.5,
        "languages": {"typescript": 1000.25, "plaintext": 800.25},
        "projectName": None,
        "editor": None,
    }
    day = days(api)[end.date().isoformat()]
    assert day["seconds"] == pytest.approx(1800.5)
    assert day["hours"][11] == pytest.approx(1800.5)
    assert sum(day["hours"]) == pytest.approx(1800.5)
    assert day["languages"] == pytest.approx({"typescript": 1000.25, "plaintext": 800.25})
    user = user_doc(api)
    assert user["username"] == "Anonymous"
    assert user["totalCodingTime"] == pytest.approx(1800.5)
    assert user["languages"]["typescript"] == pytest.approx(1000.25)
    assert user["languages"]["other"] == pytest.approx(800.25)
    assert "plaintext" not in user["languages"]
    assert len(user["languages"]) == 26
    assert user["lastSessionDate"] == end
    assert (user["currentStreak"], user["longestStreak"]) == (1, 1)


def test_a_replayed_session_is_counted_once(api: RunningHost) -> None:
    body = extension_body(utc_midnight(1) + timedelta(hours=12), 3600)
    first = post_session(api, body)
    second = post_session(api, body)

    assert first.json()["message"] == "Session recorded successfully!"
    assert second.status_code == 200
    assert second.json() == {"message": "Session already recorded", "sessionId": first.json()["sessionId"]}
    assert api.db["codingsessions"].count_documents({}) == 1
    assert user_doc(api)["totalCodingTime"] == 3600
    assert [a["name"] for a in user_doc(api)["achievements"]] == ["Novice 🥉", "Python Novice 🥉", "Python Pro 🐍"]


def test_a_client_session_id_makes_a_changed_replay_a_duplicate(api: RunningHost) -> None:
    end = utc_midnight(1) + timedelta(hours=12)
    assert post_session(api, extension_body(end, 600, sessionId="abc-1")).json()["sessionId"] == "abc-1"
    again = post_session(api, extension_body(end + timedelta(minutes=5), 900, sessionId="abc-1"))

    assert again.json() == {"message": "Session already recorded", "sessionId": "abc-1"}
    assert user_doc(api)["totalCodingTime"] == 600


def test_two_overlapping_windows_credit_their_union(api: RunningHost) -> None:
    noon = utc_midnight(1) + timedelta(hours=12)
    post_session(api, extension_body(noon, 3600, {"python": 3600}))
    post_session(api, extension_body(noon + timedelta(minutes=30), 3600, {"go": 3600}))

    assert api.db["codingsessions"].count_documents({}) == 2
    day = days(api)[noon.date().isoformat()]
    assert day["seconds"] == 5400
    assert day["languages"] == pytest.approx({"python": 2700, "go": 2700})
    assert user_doc(api)["totalCodingTime"] == 5400
    assert user_doc(api)["languages"]["go"] == pytest.approx(2700)


def test_a_session_across_midnight_is_split_between_its_two_days(api: RunningHost) -> None:
    midnight = utc_midnight(1)
    post_session(api, extension_body(midnight + timedelta(minutes=30), 3600, {"rust": 3600}))

    stored = days(api)
    before, after = (midnight - timedelta(days=1)).date().isoformat(), midnight.date().isoformat()
    assert set(stored) == {before, after}
    assert stored[before]["seconds"] == 1800
    assert stored[before]["hours"][23] == 1800
    assert stored[after]["seconds"] == 1800
    assert stored[after]["hours"][0] == 1800
    assert stored[before]["languages"] == pytest.approx({"rust": 1800})
    assert user_doc(api)["totalCodingTime"] == 3600


def test_a_late_session_lands_in_its_own_day_and_does_not_move_last_session_back(api: RunningHost) -> None:
    recent = utc_midnight(1) + timedelta(hours=9)
    late = utc_midnight(10) + timedelta(hours=15)
    post_session(api, extension_body(recent, 600))
    response = post_session(api, extension_body(late, 1200))

    assert response.status_code == 200
    stored = days(api)
    assert stored[late.date().isoformat()]["seconds"] == 1200
    assert stored[recent.date().isoformat()]["seconds"] == 600
    user = user_doc(api)
    assert user["totalCodingTime"] == 1800
    assert user["lastSessionDate"] == recent


def test_start_and_end_times_are_accepted_instead_of_session_date(api: RunningHost) -> None:
    start = utc_midnight(2) + timedelta(hours=8)
    body = {
        "userId": USER,
        "startTime": iso(start),
        "endTime": iso(start + timedelta(minutes=20)),
        "languages": {"java": 1200},
        "projectName": "distrack",
        "editor": "vscode",
    }
    assert post_session(api, body).status_code == 200
    session = api.db["codingsessions"].find_one()
    assert session is not None
    assert (session["duration"], session["projectName"], session["editor"]) == (1200, "distrack", "vscode")


def test_efu_never_replaces_a_known_username(api: RunningHost) -> None:
    end = utc_midnight(1) + timedelta(hours=12)
    post_session(api, {**extension_body(end, 60), "username": "jay"})
    post_session(api, extension_body(end + timedelta(hours=1), 60))

    assert user_doc(api)["username"] == "jay"
    assert [s["username"] for s in api.db["codingsessions"].find().sort("endTime", 1)] == ["jay", "jay"]


def invalid_bodies() -> list[tuple[str, Any, str, list[dict[str, str]] | None]]:
    """(case, body, message, errors): the contract's bug list (sections 1.2, 3.1, 5.2, 5.3) and DESIGN section 3."""
    valid_end = iso(utc_midnight(1) + timedelta(hours=12))
    return [
        (
            "missing fields",
            {"userId": USER},
            "Invalid session",
            [{"field": "body", "message": "Send sessionDate (the end) and duration, or startTime and endTime"}],
        ),
        (
            "missing userId",
            {"duration": 60, "sessionDate": valid_end},
            "Invalid request body",
            [{"field": "userId", "message": "Field required"}],
        ),
        (
            "operator injection",
            {"userId": {"$ne": None}, "duration": 60, "sessionDate": valid_end},
            "Invalid request body",
            [{"field": "userId", "message": "Input should be a valid string"}],
        ),
        (
            "invalid date",
            {"userId": USER, "duration": 60, "sessionDate": "yesterday"},
            "Invalid request body",
            [{"field": "sessionDate", "message": "Input should be a valid datetime or date, input is too short"}],
        ),
        (
            "numeric string duration",
            {"userId": USER, "duration": "60", "sessionDate": valid_end},
            "Invalid request body",
            [{"field": "duration", "message": "Input should be a valid number"}],
        ),
        (
            "zero duration",
            {"userId": USER, "duration": 0, "sessionDate": valid_end},
            "Invalid session",
            [{"field": "duration", "message": "Must be a finite number of seconds greater than 0"}],
        ),
        (
            "negative duration",
            {"userId": USER, "duration": -5, "sessionDate": valid_end},
            "Invalid session",
            [{"field": "duration", "message": "Must be a finite number of seconds greater than 0"}],
        ),
        (
            "language seconds as a string",
            {"userId": USER, "duration": 60, "sessionDate": valid_end, "languages": {"python": "60"}},
            "Invalid request body",
            [{"field": "languages.python", "message": "Input should be a valid number"}],
        ),
        (
            "languages not an object",
            {"userId": USER, "duration": 60, "sessionDate": valid_end, "languages": [1]},
            "Invalid request body",
            [{"field": "languages", "message": "Input should be a valid dictionary"}],
        ),
        (
            "too long, in the future, negative language",
            {
                "userId": USER,
                "duration": 90000,
                "sessionDate": iso(datetime.now(UTC) + timedelta(hours=1)),
                "languages": {"python": -1, "go": 10},
            },
            "Invalid session",
            [
                {"field": "duration", "message": "A session cannot be longer than 24 hours"},
                {"field": "sessionDate", "message": "The session ends more than 5 minutes in the future"},
                {"field": "languages.python", "message": "Must be a finite number of seconds, 0 or more"},
            ],
        ),
        (
            "too old",
            {"userId": USER, "duration": 60, "sessionDate": iso(utc_midnight(31))},
            "Invalid session",
            [{"field": "sessionDate", "message": "The session is older than 30 days"}],
        ),
        (
            "start after end",
            {"userId": USER, "startTime": valid_end, "endTime": iso(utc_midnight(2))},
            "Invalid session",
            [{"field": "endTime", "message": "The session must end after it starts"}],
        ),
        ("body not an object", [1, 2], "The JSON body must be an object", None),
        ("no body", None, "A JSON body is required", None),
    ]


@pytest.mark.parametrize(("case", "body", "message", "errors"), invalid_bodies(), ids=[c[0] for c in invalid_bodies()])
def test_every_invalid_body_is_refused_and_nothing_is_stored(
    api: RunningHost, case: str, body: Any, message: str, errors: list[dict[str, str]] | None
) -> None:
    if body is None:
        response = api.post("coding-session", headers=auth())
    else:
        response = api.post("coding-session", json=body, headers=auth())

    expected: dict[str, Any] = {"message": message}
    if errors is not None:
        expected["errors"] = errors
    assert response.status_code == 400
    assert response.json() == expected
    assert api.db["codingsessions"].count_documents({}) == 0
    assert api.db["users"].count_documents({}) == 0
    assert api.db["dailytotals"].count_documents({}) == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(api: RunningHost, literal: str) -> None:
    end = iso(utc_midnight(1) + timedelta(hours=12))
    raw = f'{{"userId": "{USER}", "duration": {literal}, "sessionDate": "{end}", "languages": {{"go": {literal}}}}}'
    response = api.post("coding-session", data=raw, headers={**auth(), "Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid session",
        "errors": [
            {"field": "duration", "message": "Must be a finite number of seconds greater than 0"},
            {"field": "languages.go", "message": "Must be a finite number of seconds, 0 or more"},
        ],
    }
    assert api.db["codingsessions"].count_documents({}) == 0


def test_ingest_needs_a_key_for_that_user_or_a_service_key(api: RunningHost) -> None:
    body = extension_body(utc_midnight(1) + timedelta(hours=12), 60)

    missing = api.post("coding-session", json=body)
    assert (missing.status_code, missing.json()) == (
        401,
        {"message": "Authentication required: send Authorization: Bearer <API key>"},
    )
    unknown = api.post("coding-session", json=body, headers=auth("dtk_not-a-key-at-all-000000000000000"))
    assert (unknown.status_code, unknown.json()) == (401, {"message": "Invalid or revoked API key"})
    other = post_session(api, body, key=OTHER_KEY)
    assert (other.status_code, other.json()) == (403, {"message": "This API key may not act for this user"})
    assert api.db["codingsessions"].count_documents({}) == 0

    assert post_session(api, body, key=SERVICE_KEY).status_code == 200
    assert api.db["codingsessions"].count_documents({"userId": USER}) == 1


def test_bulk_upload_reports_each_item(api: RunningHost) -> None:
    noon = utc_midnight(2) + timedelta(hours=12)
    first = extension_body(noon, 600)
    items = [
        first,
        first,
        extension_body(noon + timedelta(hours=2), 300),
        {"userId": USER, "duration": -1, "sessionDate": iso(noon)},
        {**extension_body(noon, 60), "userId": OTHER},
        "not an object",
    ]
    response = api.post("coding-sessions", json={"sessions": items}, headers=auth())

    first_id = session_hash(USER, noon - timedelta(seconds=600), noon)
    third_id = session_hash(USER, noon + timedelta(hours=2) - timedelta(seconds=300), noon + timedelta(hours=2))
    assert response.status_code == 200
    assert response.json() == {
        "recorded": 2,
        "duplicates": 1,
        "rejected": 3,
        "results": [
            {"index": 0, "status": "recorded", "sessionId": first_id, "message": None, "errors": None},
            {"index": 1, "status": "duplicate", "sessionId": first_id, "message": None, "errors": None},
            {"index": 2, "status": "recorded", "sessionId": third_id, "message": None, "errors": None},
            {
                "index": 3,
                "status": "invalid",
                "sessionId": None,
                "message": "Invalid session",
                "errors": [{"field": "duration", "message": "Must be a finite number of seconds greater than 0"}],
            },
            {
                "index": 4,
                "status": "forbidden",
                "sessionId": None,
                "message": "This API key may not act for this user",
                "errors": None,
            },
            {
                "index": 5,
                "status": "invalid",
                "sessionId": None,
                "message": "Invalid session",
                "errors": [{"field": "body", "message": "Each session must be a JSON object"}],
            },
        ],
    }
    assert api.db["codingsessions"].count_documents({}) == 2
    assert api.db["users"].count_documents({}) == 1
    assert user_doc(api)["totalCodingTime"] == 900


def test_bulk_upload_is_limited_to_100_sessions(api: RunningHost) -> None:
    body = extension_body(utc_midnight(1), 60)
    response = api.post("coding-sessions", json={"sessions": [body] * 101}, headers=auth())

    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid request body",
        "errors": [{"field": "sessions", "message": "List should have at most 100 items after validation, not 101"}],
    }
    assert api.db["codingsessions"].count_documents({}) == 0


def test_a_service_key_uploads_for_several_users_in_one_batch(api: RunningHost) -> None:
    noon = utc_midnight(1) + timedelta(hours=12)
    items = [extension_body(noon, 600), {**extension_body(noon, 300), "userId": OTHER}]
    response = api.post("coding-sessions", json={"sessions": items}, headers=auth(SERVICE_KEY))

    assert [r["status"] for r in response.json()["results"]] == ["recorded", "recorded"]
    assert user_doc(api)["totalCodingTime"] == 600
    assert user_doc(api, OTHER)["totalCodingTime"] == 300


def test_session_routes_refuse_other_methods(api: RunningHost) -> None:
    response = api.get("coding-session")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
