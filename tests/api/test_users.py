"""Users and profiles over real HTTP: POST /link, GET/PUT /user-profile/{userId}, GET /users/search."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.factories import USER_A, USER_B, bearer, create_api_key, create_user
from tests.utils.hosts import RunningHost

PROFILE_A = {
    "userId": USER_A,
    "username": "ada",
    "displayName": None,
    "avatarUrl": None,
    "bio": "",
    "socials": {},
    "isPublic": True,
    "timezone": "UTC",
    "totalCodingTime": 0.0,
    "currentStreak": 0,
    "longestStreak": 0,
    "lastSessionDate": None,
    "premium": False,
    "extensionLinked": False,
    "achievements": [],
    "lastLinkedAt": None,
}


@pytest.fixture
def service(api: RunningHost) -> dict[str, str]:
    return bearer(create_api_key(api.db, scope="service"))


def _stored(api: RunningHost, user_id: str = USER_A) -> dict[str, Any]:
    user = api.db.users.find_one({"userId": user_id}, {"_id": 0, "updatedAt": 0})
    assert user is not None
    return user


# POST /link


def test_link_creates_a_user_with_every_default(api: RunningHost, service: dict[str, str]) -> None:
    body = {"userId": USER_A, "username": "ada", "avatarUrl": "https://cdn.example/a.png"}
    response = api.post("link", json=body, headers=service)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "User linked successfully",
            "user": {
                "userId": USER_A,
                "username": "ada",
                "displayName": None,
                "avatarUrl": "https://cdn.example/a.png",
                "totalCodingTime": 0.0,
                "currentStreak": 0,
            },
        },
    )
    stored = api.db.users.find_one({"userId": USER_A})
    assert stored is not None
    assert (stored["timezone"], stored["premium"], stored["sponsor"], len(stored["languages"])) == (
        "UTC",
        False,
        False,
        26,
    )
    assert stored["lastLinkedAt"] is not None


def test_link_updates_a_known_user_and_keeps_its_data(api: RunningHost, service: dict[str, str]) -> None:
    create_user(api.db, USER_A, "ada", totalCodingTime=7200, displayName="Ada")
    response = api.post("link", json={"userId": USER_A, "username": "ada2"}, headers=service)
    assert response.json()["user"] == {
        "userId": USER_A,
        "username": "ada2",
        "displayName": "Ada",
        "avatarUrl": None,
        "totalCodingTime": 7200.0,
        "currentStreak": 0,
    }
    assert api.db.users.count_documents({}) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "ada"}, "userId"),
        ({"userId": 111111111111111111, "username": "ada"}, "userId"),
        ({"userId": {"$ne": None}, "username": "ada"}, "userId"),
        ({"userId": "abc", "username": "ada"}, "userId"),
        ({"userId": USER_A, "username": {"$gt": ""}}, "username"),
        ({"userId": USER_A, "username": "   "}, "username"),
        ({"userId": USER_A, "username": "ada", "avatarUrl": "http://x.example/a.png"}, "avatarUrl"),
    ],
)
def test_link_refuses_bad_input_and_changes_nothing(
    api: RunningHost, service: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = api.post("link", json=body, headers=service)
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid request body"
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert api.db.users.count_documents({}) == 0


# GET /user-profile/{userId}


def test_profile_is_an_explicit_field_list_without_secrets(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada", linkCode="ABC234", linkAPIKey="legacy-secret", deviceId="dvc-1", border="x")
    response = api.get(f"user-profile/{USER_A}")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in PROFILE_A} == PROFILE_A
    assert set(body) == set(PROFILE_A) | {"languages", "linkedAt", "createdAt"}
    assert body["languages"]["other"] == 0 and len(body["languages"]) == 26
    assert "legacy-secret" not in response.text and "ABC234" not in response.text and "dvc-1" not in response.text


def test_unknown_profile_is_404(api: RunningHost) -> None:
    response = api.get(f"user-profile/{USER_B}")
    assert (response.status_code, response.json()) == (404, {"message": "User not found"})


def test_private_profile_shows_only_its_visibility_to_others(api: RunningHost, service: dict[str, str]) -> None:
    create_user(api.db, USER_A, "ada", isPublic=False, bio="secret plans")
    create_user(api.db, USER_B, "grace")
    private = {"userId": USER_A, "isPublic": False}
    assert api.get(f"user-profile/{USER_A}").json() == private
    other = bearer(create_api_key(api.db, scope="ingest", user_id=USER_B))
    assert api.get(f"user-profile/{USER_A}", headers=other).json() == private
    own = bearer(create_api_key(api.db, scope="ingest", user_id=USER_A))
    assert api.get(f"user-profile/{USER_A}", headers=own).json()["bio"] == "secret plans"
    assert api.get(f"user-profile/{USER_A}", headers=service).json()["bio"] == "secret plans"


# PUT /user-profile/{userId}


def test_profile_update_applies_every_field(api: RunningHost, service: dict[str, str]) -> None:
    create_user(api.db, USER_A, "ada")
    body = {
        "username": "ada",
        "displayName": "Ada 🦄 Lovelace",
        "avatarUrl": "https://cdn.example/a.png",
        "bio": "é" * 500,
        "socials": {"github": "https://github.com/ada"},
        "isPublic": False,
        "timezone": "Europe/Paris",
    }
    response = api.put(f"user-profile/{USER_A}", json=body, headers=service)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "User profile updated successfully",
            "user": {"userId": USER_A, **body, "totalCodingTime": 0.0, "currentStreak": 0},
        },
    )
    stored = _stored(api)
    assert {key: stored[key] for key in body} == body


def test_profile_update_leaves_out_fields_unchanged(api: RunningHost, service: dict[str, str]) -> None:
    create_user(api.db, USER_A, "ada", bio="kept", displayName="Ada")
    assert api.put(f"user-profile/{USER_A}", json={"isPublic": False}, headers=service).status_code == 200
    stored = _stored(api)
    assert (stored["bio"], stored["displayName"], stored["isPublic"]) == ("kept", "Ada", False)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"bio": "x" * 501}, "bio", "String should have at most 500 characters"),
        ({"timezone": "GMT+1"}, "timezone", "Value error, must be an IANA time zone such as Europe/Paris or UTC"),
        ({"timezone": {"$ne": None}}, "timezone", "Input should be a valid string"),
        ({"avatarUrl": "http://cdn.example/a.png"}, "avatarUrl", "Value error, must be an https:// URL"),
        ({"isPublic": "false"}, "isPublic", "Input should be a valid boolean"),
        (
            {"socials": {"$where": "https://x.example"}},
            "socials",
            "Value error, keys must be 1 to 32 letters, digits, _ or -",
        ),
        ({"totalCodingTime": 999999}, "totalCodingTime", "Extra inputs are not permitted"),
        ({"username": {"$ne": None}}, "username", "Input should be a valid string"),
    ],
)
def test_profile_update_refuses_bad_fields_and_changes_nothing(
    api: RunningHost, service: dict[str, str], body: dict[str, Any], field: str, message: str
) -> None:
    create_user(api.db, USER_A, "ada")
    before = _stored(api)
    response = api.put(f"user-profile/{USER_A}", json=body, headers=service)
    assert (response.status_code, response.json()) == (
        400,
        {"message": "Invalid request body", "errors": [{"field": field, "message": message}]},
    )
    assert _stored(api) == before


def test_profile_update_of_unknown_user_is_404(api: RunningHost, service: dict[str, str]) -> None:
    response = api.put(f"user-profile/{USER_A}", json={"bio": "x"}, headers=service)
    assert (response.status_code, response.json()) == (404, {"message": "User not found"})
    assert api.db.users.count_documents({}) == 0


def test_profile_update_of_another_user_is_403(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    create_user(api.db, USER_B, "grace")
    before = _stored(api, USER_B)
    key = bearer(create_api_key(api.db, scope="ingest", user_id=USER_A))
    response = api.put(f"user-profile/{USER_B}", json={"isPublic": False}, headers=key)
    assert (response.status_code, response.json()) == (403, {"message": "This API key may not act for this user"})
    assert _stored(api, USER_B) == before


# GET /users/search


def _search(api: RunningHost, **params: Any) -> tuple[int, Any]:
    response = api.get("users/search", params=params)
    return response.status_code, response.json()


def test_search_matches_names_literally_and_ignoring_case(api: RunningHost) -> None:
    create_user(api.db, USER_A, "Ada.Lovelace", totalCodingTime=10)
    create_user(api.db, USER_B, "grace", displayName="ADAM (admin)", totalCodingTime=20)
    create_user(api.db, "333333333333333333", "adxa")
    status, body = _search(api, q="ada")
    assert status == 200
    assert [user["userId"] for user in body["users"]] == [USER_B, USER_A]
    assert body["users"][1] == {
        "userId": USER_A,
        "username": "Ada.Lovelace",
        "displayName": None,
        "avatarUrl": None,
        "totalCodingTime": 10.0,
        "currentStreak": 0,
        "longestStreak": 0,
    }
    assert [u["userId"] for u in _search(api, q="a.l")[1]["users"]] == [USER_A]  # "." is not a wildcard
    assert _search(api, q="(admin)")[1]["users"][0]["userId"] == USER_B
    assert _search(api, q="a.*")[1] == {"users": []}


@pytest.mark.parametrize("q", ["(", "[", "*", "\\", "a{1000000}", "(a+)+$", "$ne", "ü"])
def test_search_never_compiles_input_as_a_pattern(api: RunningHost, q: str) -> None:
    create_user(api.db, USER_A, "ada")
    assert _search(api, q=q) == (200, {"users": []})


def test_search_matches_unicode(api: RunningHost) -> None:
    create_user(api.db, USER_A, "Zoë")
    assert [u["userId"] for u in _search(api, q="zoë")[1]["users"]] == [USER_A]


def test_search_leaves_out_private_and_archived_users(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada1", isPublic=False)
    create_user(api.db, USER_B, "ada2", archived=True)
    create_user(api.db, "333333333333333333", "ada3")
    assert [u["username"] for u in _search(api, q="ada")[1]["users"]] == ["ada3"]


def test_search_limit_is_at_most_50(api: RunningHost) -> None:
    api.db.users.insert_many([{"userId": f"{n:018d}", "username": f"user{n}"} for n in range(1, 56)])
    assert len(_search(api, q="user")[1]["users"]) == 10
    assert len(_search(api, q="user", limit=3)[1]["users"]) == 3
    assert len(_search(api, q="user", limit=500)[1]["users"]) == 50


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a", "limit": "0"}, "limit"),
        ({"q": "a", "limit": "x"}, "limit"),
    ],
)
def test_search_refuses_bad_queries(api: RunningHost, params: dict[str, str], field: str) -> None:
    status, body = _search(api, **params)
    assert status == 400
    assert body["message"] == "Invalid query parameters"
    assert [error["field"] for error in body["errors"]] == [field]
