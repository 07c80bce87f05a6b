"""Link codes and the extension link flow over real HTTP: limits, lockout, injection, replay, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.utils.factories import USER_A, USER_B, bearer, create_api_key, create_user
from tests.utils.hosts import RunningHost

INVALID = {"message": "Invalid or expired link code"}
DEVICE = "dvc-" + "a1" * 16


@pytest.fixture
def service(api: RunningHost) -> dict[str, str]:
    create_user(api.db, USER_A, "ada")
    return bearer(create_api_key(api.db, scope="service"))


def _code(api: RunningHost, service: dict[str, str], user_id: str = USER_A) -> str:
    response = api.post(f"user/link-code/{user_id}", headers=service)
    assert response.status_code == 200, response.text
    return str(response.json()["linkCode"])


def _link(api: RunningHost, body: Any, client: str = "10.0.0.1") -> tuple[int, Any]:
    response = api.post("extension/link", json=body, headers={"X-Forwarded-For": client})
    return response.status_code, response.json()


def _nothing_linked(api: RunningHost) -> bool:
    return (
        api.db.apikeys.count_documents({"scope": "ingest"}) == 0
        and api.db.linkcodes.count_documents({"usedAt": {"$ne": None}}) == 0
        and api.db.users.find_one({"userId": USER_A})["extensionLinked"] is False  # type: ignore[index]
    )


# POST/DELETE /user/link-code/{userId}


def test_link_code_answers_code_expiry_and_length(api: RunningHost, service: dict[str, str]) -> None:
    before = datetime.now(UTC)
    response = api.post(f"user/link-code/{USER_A}", headers=service)
    body = response.json()
    assert (response.status_code, set(body)) == (200, {"linkCode", "expiresAt", "length", "cooldownSeconds"})
    assert (body["length"], body["cooldownSeconds"]) == (6, 0)
    expires = datetime.fromisoformat(body["expiresAt"])
    assert timedelta(minutes=9) < expires - before <= timedelta(minutes=10, seconds=1)
    stored = api.db.linkcodes.find_one({})
    assert stored is not None
    assert (stored["userId"], stored["usedAt"], stored["expiresAt"]) == (USER_A, None, expires)
    assert body["linkCode"] not in repr(stored)


def test_a_new_code_replaces_the_old_one(api: RunningHost, service: dict[str, str]) -> None:
    old = _code(api, service)
    new = _code(api, service)
    assert api.db.linkcodes.count_documents({}) == 1
    assert _link(api, {"linkCode": old}) == (404, INVALID)
    assert _link(api, {"linkCode": new})[0] == 200


def test_delete_withdraws_the_code(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    response = api.delete(f"user/link-code/{USER_A}", headers=service)
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert _link(api, {"linkCode": code}) == (404, INVALID)
    assert _nothing_linked(api)


def test_link_code_for_unknown_user_is_404(api: RunningHost, service: dict[str, str]) -> None:
    for method in ("POST", "DELETE"):
        response = api.request(method, f"user/link-code/{USER_B}", headers=service)
        assert (response.status_code, response.json()) == (404, {"message": "User not found"})
    assert api.db.linkcodes.count_documents({}) == 0


def test_link_codes_need_a_service_key(api: RunningHost, service: dict[str, str]) -> None:
    own = bearer(create_api_key(api.db, scope="ingest", user_id=USER_A))
    for method in ("POST", "DELETE"):
        assert api.request(method, f"user/link-code/{USER_A}").status_code == 401
        response = api.request(method, f"user/link-code/{USER_A}", headers=own)
        assert (response.status_code, response.json()) == (403, {"message": "This API key lacks the service scope"})
    assert api.db.linkcodes.count_documents({}) == 0


def test_link_codes_are_rate_limited_per_user_in_the_database(api: RunningHost, service: dict[str, str]) -> None:
    for _ in range(4):
        assert api.post(f"user/link-code/{USER_A}", headers=service).json()["cooldownSeconds"] == 0
    # The fifth code uses up the window: the website is told how long to wait before asking again.
    fifth = api.post(f"user/link-code/{USER_A}", headers=service).json()
    assert 1 <= fifth["cooldownSeconds"] <= 300
    response = api.post(f"user/link-code/{USER_A}", headers=service)
    assert (response.status_code, response.json()) == (429, {"message": "Rate limit exceeded for user"})
    assert 1 <= int(response.headers["Retry-After"]) <= 300
    assert api.db.ratelimits.count_documents({"window": {"$regex": "^link-code-user:"}}) == 6
    # Another user is not affected.
    create_user(api.db, USER_B, "grace")
    assert api.post(f"user/link-code/{USER_B}", headers=service).status_code == 200


# POST /extension/link


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"linkCode": {"$ne": None}}, "Input should be a valid string"),
        ({"linkCode": {"$regex": ".*"}}, "Input should be a valid string"),
        ({"linkCode": 123456}, "Input should be a valid string"),
        ({"linkCode": ["ABC234"]}, "Input should be a valid string"),
        ({"linkCode": "ÄBC234"}, "String should match pattern '^[A-Za-z0-9]{6}$'"),
        ({"linkCode": "ABC2345"}, "String should match pattern '^[A-Za-z0-9]{6}$'"),
        ({}, "Field required"),
    ],
)
def test_link_refuses_operators_and_wrong_types(
    api: RunningHost, service: dict[str, str], body: dict[str, Any], message: str
) -> None:
    _code(api, service)
    assert _link(api, body) == (
        400,
        {"message": "Invalid request body", "errors": [{"field": "linkCode", "message": message}]},
    )
    assert _nothing_linked(api)


def test_link_refuses_an_operator_as_device_id(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    status, body = _link(api, {"linkCode": code, "deviceId": {"$ne": None}})
    assert (status, body["errors"]) == (400, [{"field": "deviceId", "message": "Input should be a valid string"}])
    assert _nothing_linked(api)


def test_link_refuses_a_huge_body(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    response = api.post("extension/link", json={"linkCode": code, "pad": "x" * 300_000})
    assert (response.status_code, response.json()) == (413, {"message": "The body is larger than 262144 bytes"})
    assert _nothing_linked(api)


def test_expired_code_is_404(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    api.db.linkcodes.update_one({}, {"$set": {"expiresAt": datetime.now(UTC) - timedelta(seconds=1)}})
    assert _link(api, {"linkCode": code}) == (404, INVALID)
    assert api.db.apikeys.count_documents({"scope": "ingest"}) == 0


def test_a_code_typed_in_lower_case_links(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    assert _link(api, {"linkCode": code.lower()})[0] == 200


def test_device_id_sent_at_link_time_is_bound(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    status, body = _link(api, {"linkCode": code, "deviceId": DEVICE})
    assert status == 200
    assert api.db.apikeys.find_one({"scope": "ingest"})["deviceId"] == DEVICE  # type: ignore[index]
    other_device = api.get(f"extension/key/auth/dvc-other/{code}")
    assert (other_device.status_code, other_device.json()) == (404, INVALID)
    assert api.get(f"extension/key/auth/{DEVICE}/{code}").json() == {"token": body["token"]}


def test_brute_force_is_locked_out_per_client(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    for attempt in range(10):
        assert _link(api, {"linkCode": f"ZZZZ{attempt:02d}"}) == (404, INVALID)
    response = api.post("extension/link", json={"linkCode": code}, headers={"X-Forwarded-For": "10.0.0.1"})
    assert (response.status_code, response.json()) == (429, {"message": "Too many failed attempts, temporarily locked"})
    assert 1 <= int(response.headers["Retry-After"]) <= 600
    # The key route shares the lockout; a spoofed first X-Forwarded-For entry does not dodge it.
    locked = api.get(f"extension/key/auth/{DEVICE}/{code}", headers={"X-Forwarded-For": "1.1.1.1, 10.0.0.1"})
    assert locked.status_code == 429
    assert _nothing_linked(api)
    # Another client still links with the right code.
    assert _link(api, {"linkCode": code}, client="10.0.0.2")[0] == 200


# GET /extension/key/auth/{deviceId}/{linkCode}


def test_key_route_before_the_link_is_404(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    response = api.get(f"extension/key/auth/{DEVICE}/{code}")
    assert (response.status_code, response.json()) == (404, INVALID)
    assert _link(api, {"linkCode": code})[0] == 200  # the code still links


@pytest.mark.parametrize("path", [f"{DEVICE}/ZZZZZZ", f"{DEVICE}/%24ne", "x/ABC234", f"{DEVICE}/ABC2345"])
def test_key_route_with_a_wrong_code_is_404(api: RunningHost, service: dict[str, str], path: str) -> None:
    code = _code(api, service)
    _link(api, {"linkCode": code})
    response = api.get(f"extension/key/auth/{path}")
    assert (response.status_code, response.json()) == (404, INVALID)
    assert api.db.linkcodes.count_documents({"pickupKey": {"$exists": True}}) == 1


def test_key_route_after_expiry_is_404(api: RunningHost, service: dict[str, str]) -> None:
    code = _code(api, service)
    assert _link(api, {"linkCode": code})[0] == 200
    api.db.linkcodes.update_one({}, {"$set": {"expiresAt": datetime.now(UTC) - timedelta(seconds=1)}})
    assert api.get(f"extension/key/auth/{DEVICE}/{code}").json() == INVALID
    # The sealed key went with the expired code.
    assert api.db.linkcodes.count_documents({}) == 0
