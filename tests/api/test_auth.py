"""Authentication over real HTTP: every refusal with its exact JSON body, and no secret echoed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.utils.factories import USER_A, USER_B, bearer, create_api_key, create_user
from tests.utils.hosts import ADMIN_KEY, SERVICE_KEY, RunningHost

NO_CREDENTIAL = {"message": "Authentication required: send Authorization: Bearer <API key>"}
BAD_KEY = {"message": "Invalid or revoked API key"}
MALFORMED = {"message": "Malformed Authorization header: expected Bearer <API key>"}
OTHER_USER = {"message": "This API key may not act for this user"}


@pytest.fixture
def host(api: RunningHost) -> RunningHost:
    create_user(api.db, USER_A, "ada")
    create_user(api.db, USER_B, "grace")
    return api


def _refusal(response: Any) -> tuple[int, Any]:
    return response.status_code, response.json()


def test_no_credential_is_401(host: RunningHost) -> None:
    response = host.put(f"user-profile/{USER_A}", json={"bio": "x"})
    assert _refusal(response) == (401, NO_CREDENTIAL)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert host.db.users.find_one({"userId": USER_A})["bio"] == ""  # type: ignore[index]


def test_wrong_key_is_401_without_echoing_it(host: RunningHost) -> None:
    wrong = "dtk_" + "x" * 43
    response = host.put(f"user-profile/{USER_A}", json={"bio": "x"}, headers=bearer(wrong))
    assert _refusal(response) == (401, BAD_KEY)
    assert wrong not in response.text and "xxxx" not in response.text


def test_revoked_key_is_401(host: RunningHost) -> None:
    key = create_api_key(host.db, scope="ingest", user_id=USER_A)
    host.db.apikeys.update_one({}, {"$set": {"revokedAt": datetime.now(UTC)}})
    assert _refusal(host.put(f"user-profile/{USER_A}", json={}, headers=bearer(key))) == (401, BAD_KEY)


def test_a_raw_key_without_bearer_is_401(host: RunningHost) -> None:
    response = host.put(f"user-profile/{USER_A}", json={}, headers={"Authorization": SERVICE_KEY})
    assert _refusal(response) == (401, MALFORMED)
    assert SERVICE_KEY not in response.text


def test_missing_scope_is_403(host: RunningHost) -> None:
    ingest = bearer(create_api_key(host.db, scope="ingest", user_id=USER_A))
    link = host.post("link", json={"userId": USER_A, "username": "ada"}, headers=ingest)
    assert _refusal(link) == (403, {"message": "This API key lacks the service scope"})
    keys = host.get("admin/keys", headers=bearer(SERVICE_KEY))
    assert _refusal(keys) == (403, {"message": "This API key lacks the admin scope"})


def test_key_of_user_a_used_for_user_b_is_403(host: RunningHost) -> None:
    key = bearer(create_api_key(host.db, scope="ingest", user_id=USER_A))
    assert _refusal(host.put(f"user-profile/{USER_B}", json={"bio": "x"}, headers=key)) == (403, OTHER_USER)
    assert host.db.users.find_one({"userId": USER_B})["bio"] == ""  # type: ignore[index]
    assert host.put(f"user-profile/{USER_A}", json={"bio": "mine"}, headers=key).status_code == 200


def test_unknown_or_revoked_key_on_a_public_route_is_anonymous(host: RunningHost) -> None:
    host.db.users.update_one({"userId": USER_A}, {"$set": {"isPublic": False}})
    revoked = create_api_key(host.db, scope="ingest", user_id=USER_A)
    host.db.apikeys.update_one({}, {"$set": {"revokedAt": datetime.now(UTC)}})
    for key in ("dtk_unknown", revoked):
        response = host.get(f"user-profile/{USER_A}", headers=bearer(key))
        assert (response.status_code, response.json()) == (200, {"userId": USER_A, "isPublic": False})
    assert host.get(f"user-profile/{USER_B}", headers={"Authorization": "Basic abc"}).status_code == 200


def test_bootstrap_keys_work_and_are_not_stored(host: RunningHost) -> None:
    linked = host.post("link", json={"userId": USER_A, "username": "ada"}, headers=bearer(SERVICE_KEY))
    assert linked.status_code == 200
    listed = host.get("admin/keys", headers=bearer(ADMIN_KEY))
    assert _refusal(listed) == (200, {"data": [], "count": 0})
    # An admin key may do what a service key may.
    assert host.post(f"user/link-code/{USER_A}", headers=bearer(ADMIN_KEY)).status_code == 200
    stored = repr([list(host.db[name].find()) for name in host.db.list_collection_names()])
    assert ADMIN_KEY not in stored and SERVICE_KEY not in stored


def test_a_used_key_records_when_it_was_last_used(host: RunningHost) -> None:
    key = create_api_key(host.db, scope="ingest", user_id=USER_A)
    assert host.db.apikeys.find_one({})["lastUsedAt"] is None  # type: ignore[index]
    assert host.put(f"user-profile/{USER_A}", json={}, headers=bearer(key)).status_code == 200
    assert isinstance(host.db.apikeys.find_one({})["lastUsedAt"], datetime)  # type: ignore[index]
