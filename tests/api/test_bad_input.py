"""Bad input of every kind answers a clear 400 and stores nothing (issue 12, "every bad input a clear 4xx")."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from tests.utils.factories import USER_A, create_user
from tests.utils.hosts import SERVICE_KEY, RunningHost

SERVICE = {"Authorization": f"Bearer {SERVICE_KEY}", "Content-Type": "application/json"}
END = (datetime.now(UTC) - timedelta(days=1)).isoformat()


def session(**fields: object) -> str:
    return json.dumps({"userId": USER_A, "duration": 60, "sessionDate": END, **fields})


def with_duration(number: str) -> str:
    """A session whose duration is the JSON number ``number``, written as it is."""
    return f'{{"userId": "{USER_A}", "duration": {number}, "sessionDate": "{END}"}}'


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("coding-session", "[" * 1000 + "]" * 1000),
        ("coding-session", '{"a":' * 1000 + "1" + "}" * 1000),
        ("coding-sessions", '{"sessions": ' + "[" * 40 + "]" * 40 + "}"),
        ("link", '{"a":' * 100 + "1" + "}" * 100),
    ],
)
def test_deeply_nested_json_is_refused_before_parsing(api: RunningHost, path: str, body: str) -> None:
    response = api.post(path, data=body, headers=SERVICE)
    assert (response.status_code, response.json()) == (400, {"message": "The JSON body nests deeper than 32 levels"})


def test_brackets_inside_strings_do_not_count_as_nesting(api: RunningHost) -> None:
    response = api.post("coding-session", data=session(projectName="[" * 150), headers=SERVICE)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("duration", ["1e308", "1000000000000000000000000000000", "86401"])
def test_a_duration_beyond_a_day_is_a_400(api: RunningHost, duration: str) -> None:
    body = with_duration(duration)
    response = api.post("coding-session", data=body, headers=SERVICE)
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid session",
        "errors": [{"field": "duration", "message": "A session cannot be longer than 24 hours"}],
    }
    assert api.db["codingsessions"].count_documents({}) == 0


def test_an_integer_of_thousands_of_digits_is_a_400(api: RunningHost) -> None:
    body = with_duration("9" * 5000)
    response = api.post("coding-session", data=body, headers=SERVICE)
    assert response.status_code == 400
    assert response.json()["message"].startswith("Malformed JSON body: Exceeds the limit")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sessionDate", "0001-01-01T00:00:00Z"),
        ("sessionDate", "0001-01-01T00:00:00+01:00"),
        ("startTime", "9999-12-31T23:59:59Z"),
        ("endTime", "9999-12-31T23:59:59Z"),
    ],
)
def test_dates_out_of_range_are_a_400(api: RunningHost, field: str, value: str) -> None:
    fields: dict[str, object] = {field: value}
    if field != "sessionDate":
        fields["sessionDate"] = None
    response = api.post("coding-session", data=session(**fields), headers=SERVICE)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": field, "message": "Must be a time between 2000-01-01 and 2100-01-01"}
    ]
    assert api.db["users"].count_documents({}) == 0


def test_a_page_beyond_any_board_is_a_400(api: RunningHost) -> None:
    response = api.get("leaderboard/day", params={"page": "9223372036854775807"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "page", "message": "Input should be less than or equal to 100000"}]


def test_a_cursor_holding_a_huge_number_is_a_400(api: RunningHost) -> None:
    cursor = base64.urlsafe_b64encode(b"[" + b"9" * 5000 + b', "x"]').decode()
    response = api.get("leaderboard/day", params={"cursor": cursor})
    assert response.json() == {"message": "Invalid cursor: use the nextCursor of a previous page"}


def test_an_achievement_the_bot_stored_with_an_object_id_is_shown_without_it(api: RunningHost) -> None:
    create_user(api.db, USER_A)
    # The bot's Mongoose subdocuments carry an ObjectId _id, and may carry keys nobody should see.
    bot_item = {
        "_id": ObjectId(),
        "name": "Novice 🥉",
        "target": 3600,
        "description": "Reached 1 hour of coding",
        "category": "time",
        "internalNote": "not for everyone",
    }
    api.db["users"].update_one({"userId": USER_A}, {"$push": {"achievements": bot_item}})
    response = api.get(f"user-profile/{USER_A}")
    assert response.status_code == 200
    assert response.json()["achievements"] == [
        {
            "name": "Novice 🥉",
            "target": 3600.0,
            "description": "Reached 1 hour of coding",
            "category": "time",
            "earnedAt": None,
        }
    ]


@pytest.mark.parametrize("name", ["ada\u0000", "ada\u001b[2J", "ada\r\nadmin", "\u202eadmin"])
def test_a_session_username_follows_the_one_name_rule(api: RunningHost, name: str) -> None:
    response = api.post("coding-session", data=session(username=name), headers=SERVICE)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "username", "message": "Value error, must not contain control characters"}
    ]
    assert api.db["users"].count_documents({}) == 0


def test_a_blank_session_username_is_no_name(api: RunningHost) -> None:
    assert api.post("coding-session", data=session(username="  "), headers=SERVICE).status_code == 200
    assert api.db["users"].find_one({"userId": USER_A})["username"] == "Anonymous"  # type: ignore[index]


def test_a_device_id_with_a_trailing_newline_is_malformed_and_never_looked_up(api: RunningHost) -> None:
    for _ in range(12):  # more than the lockout allows, if these were attempts
        response = api.get("extension/key/auth/dvc-abcdef%0A/ABC234")
        assert (response.status_code, response.json()) == (404, {"message": "Invalid or expired link code"})
    assert api.db["ratelimits"].count_documents({}) == 0
    assert api.get("extension/key/auth/dvc-abcdef/ABC234").status_code == 404  # a real attempt: not locked out
