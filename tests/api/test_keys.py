"""API key management over real HTTP (admin): create, list, revoke."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.factories import USER_A, bearer, create_api_key, create_user
from tests.utils.hosts import RunningHost
from tracking.domain.access import hash_api_key


@pytest.fixture
def admin(api: RunningHost) -> dict[str, str]:
    return bearer(create_api_key(api.db, scope="admin", label="root"))


def test_create_shows_the_key_once_and_stores_its_hash(api: RunningHost, admin: dict[str, str]) -> None:
    create_user(api.db, USER_A, "ada")
    body = {"scope": "ingest", "label": "laptop", "userId": USER_A, "deviceId": "dvc-abc123"}
    response = api.post("admin/keys", json=body, headers=admin)
    assert response.status_code == 201
    issued = response.json()
    key = issued["key"]
    stored = api.db.apikeys.find_one({"label": "laptop"})
    assert stored is not None
    assert issued == {
        "id": str(stored["_id"]),
        "key": key,
        "prefix": key[:10],
        "label": "laptop",
        "scope": "ingest",
        "format": "distrack",
        "userId": USER_A,
        "deviceId": "dvc-abc123",
        "createdAt": issued["createdAt"],
        "lastUsedAt": None,
        "revokedAt": None,
    }
    assert stored["keyHash"] == hash_api_key(key) and key not in repr(stored)
    assert api.put(f"user-profile/{USER_A}", json={}, headers=bearer(key)).status_code == 200


def test_list_never_shows_a_key(api: RunningHost, admin: dict[str, str]) -> None:
    create_user(api.db, USER_A, "ada")
    key = create_api_key(api.db, scope="ingest", user_id=USER_A, label="ext")
    response = api.get("admin/keys", headers=admin, params={"scope": "ingest"})
    assert response.status_code == 200
    listed = response.json()
    assert listed["count"] == 1
    assert set(listed["data"][0]) == {
        "id",
        "prefix",
        "label",
        "scope",
        "format",
        "userId",
        "deviceId",
        "createdAt",
        "lastUsedAt",
        "revokedAt",
    }
    assert (listed["data"][0]["label"], listed["data"][0]["prefix"]) == ("ext", key[:10])
    assert key not in response.text
    assert api.get("admin/keys", headers=admin).json()["count"] == 2  # with the admin key itself


def test_revoke_stops_a_key_and_is_listed(api: RunningHost, admin: dict[str, str]) -> None:
    create_user(api.db, USER_A, "ada")
    key = create_api_key(api.db, scope="ingest", user_id=USER_A)
    key_id = str(api.db.apikeys.find_one({"scope": "ingest"})["_id"])  # type: ignore[index]
    response = api.delete(f"admin/keys/{key_id}", headers=admin)
    assert response.status_code == 200
    assert response.json()["revokedAt"] is not None
    assert api.put(f"user-profile/{USER_A}", json={}, headers=bearer(key)).status_code == 401
    assert api.get("admin/keys", headers=admin, params={"userId": USER_A}).json()["count"] == 0
    everything = api.get("admin/keys", headers=admin, params={"userId": USER_A, "includeRevoked": "true"}).json()
    assert everything["count"] == 1


@pytest.mark.parametrize("key_id", ["nope", "0123456789abcdef01234567"])
def test_revoke_unknown_key_is_404(api: RunningHost, admin: dict[str, str], key_id: str) -> None:
    response = api.delete(f"admin/keys/{key_id}", headers=admin)
    assert (response.status_code, response.json()) == (404, {"message": "API key not found"})


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"scope": "ingest", "label": "x"}, 400),
        ({"scope": "service", "label": "x", "userId": USER_A}, 400),
        ({"scope": "root", "label": "x"}, 400),
        ({"scope": {"$ne": None}, "label": "x"}, 400),
        ({"scope": "service", "label": ""}, 400),
        ({"scope": "ingest", "label": "x", "userId": "999999999999999999"}, 404),
    ],
)
def test_create_refuses_bad_requests(
    api: RunningHost, admin: dict[str, str], body: dict[str, Any], status: int
) -> None:
    response = api.post("admin/keys", json=body, headers=admin)
    assert response.status_code == status
    assert api.db.apikeys.count_documents({}) == 1


def test_key_routes_need_the_admin_scope(api: RunningHost) -> None:
    service = bearer(create_api_key(api.db, scope="service"))
    for method, path in (("GET", "admin/keys"), ("POST", "admin/keys"), ("DELETE", "admin/keys/x")):
        response = api.request(method, path, headers=service, json={"scope": "admin", "label": "x"})
        assert (response.status_code, response.json()) == (403, {"message": "This API key lacks the admin scope"})
    assert api.get("admin/keys").status_code == 401
    assert api.db.apikeys.count_documents({}) == 1
