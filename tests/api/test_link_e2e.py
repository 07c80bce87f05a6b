"""Done when (issue 4): the bot and the extension v0.9.10 link a user end to end over real HTTP."""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime
from typing import Any

from tests.utils.factories import USER_A, USER_B, bearer, create_api_key, create_user
from tests.utils.hosts import RunningHost

# What axios 1.12.2 in the extension sends besides the body (contract section 4.1).
EXTENSION_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "User-Agent": "axios/1.12.2",
    "Content-Type": "application/json",
}


def _device_id() -> str:
    """As the extension makes it: "dvc-" and 32 letters and digits (device.ts)."""
    return "dvc-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def _extension_link(api: RunningHost, code: str, stale_key: str | None = None) -> tuple[int, Any]:
    """extension.ts:283-419: POST /extension/link {linkCode}, then the key route; returns the key route's answer."""
    headers = dict(EXTENSION_HEADERS)
    if stale_key is not None:
        headers.update(bearer(stale_key))
    linked = api.post("extension/link", json={"linkCode": code}, headers=headers)
    assert linked.status_code == 200, linked.text
    assert re.fullmatch(r"[0-9]{15,32}", linked.json()["user"]["userId"])
    key = api.get(f"extension/key/auth/{_device_id()}/{code}", headers={"Accept": EXTENSION_HEADERS["Accept"]})
    return key.status_code, key.json()


def _every_stored_value(api: RunningHost) -> str:
    return repr([list(api.db[name].find()) for name in api.db.list_collection_names()])


def test_bot_and_extension_link_end_to_end(api: RunningHost) -> None:
    service = bearer(create_api_key(api.db, scope="service", label="bot"))
    create_user(api.db, USER_B, "grace")

    # The bot (or the website backend) makes the user and asks for a link code.
    linked = api.post("link", json={"userId": USER_A, "username": "ada", "displayName": "Ada L."}, headers=service)
    assert linked.status_code == 200
    assert linked.json() == {
        "message": "User linked successfully",
        "user": {
            "userId": USER_A,
            "username": "ada",
            "displayName": "Ada L.",
            "avatarUrl": None,
            "totalCodingTime": 0.0,
            "currentStreak": 0,
        },
    }
    issued = api.post(f"user/link-code/{USER_A}", headers=service)
    assert issued.status_code == 200
    code = issued.json()["linkCode"]
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)
    assert issued.json()["length"] == 6
    assert code not in _every_stored_value(api)

    # The extension links exactly as v0.9.10 does: the link, then its key from the key route.
    headers = {**EXTENSION_HEADERS}
    link = api.post("extension/link", json={"linkCode": code}, headers=headers)
    assert link.status_code == 200
    body = link.json()
    token = body["token"]
    assert body == {
        "success": True,
        "user": {
            "userId": USER_A,
            "username": "ada",
            "displayName": "Ada L.",
            "extensionLinked": True,
            "totalCodingTime": 0.0,
        },
        "token": token,
    }
    device_id = _device_id()
    key = api.get(f"extension/key/auth/{device_id}/{code}")
    assert (key.status_code, key.json()) == (200, {"token": token})
    assert "discord" not in key.text.lower()

    # The key route answers once; the code cannot be used again.
    assert api.get(f"extension/key/auth/{device_id}/{code}").json() == {"message": "Invalid or expired link code"}
    replay = api.post("extension/link", json={"linkCode": code}, headers=EXTENSION_HEADERS)
    assert (replay.status_code, replay.json()) == (409, {"message": "This link code has already been used"})

    # The key is an ingest key of that user, bound to the device, stored only as a hash.
    stored_key = api.db.apikeys.find_one({"userId": USER_A})
    assert stored_key is not None
    assert (stored_key["scope"], stored_key["deviceId"], stored_key["revokedAt"]) == ("ingest", device_id, None)
    assert token not in _every_stored_value(api)

    # That key reads its own profile and edits it, and is refused on another user's writes.
    own = bearer(token)
    profile = api.get(f"user-profile/{USER_A}", headers=own)
    assert profile.status_code == 200
    assert (profile.json()["userId"], profile.json()["username"], profile.json()["displayName"]) == (
        USER_A,
        "ada",
        "Ada L.",
    )
    assert api.put(f"user-profile/{USER_A}", json={"bio": "hi"}, headers=own).status_code == 200
    other = api.put(f"user-profile/{USER_B}", json={"bio": "pwned"}, headers=own)
    assert (other.status_code, other.json()) == (403, {"message": "This API key may not act for this user"})
    assert api.db.users.find_one({"userId": USER_B})["bio"] == ""  # type: ignore[index]
    assert api.post(f"user/link-code/{USER_B}", headers=own).status_code == 403


def test_relinking_while_holding_a_stale_key_works(api: RunningHost) -> None:
    service = bearer(create_api_key(api.db, scope="service"))
    create_user(api.db, USER_A, "ada")

    first_code = api.post(f"user/link-code/{USER_A}", headers=service).json()["linkCode"]
    status, first = _extension_link(api, first_code)
    assert status == 200
    stale = first["token"]
    # The stale key is revoked (say, by an admin); the extension still holds it and sends it.
    api.db.apikeys.update_many({"scope": "ingest"}, {"$set": {"revokedAt": datetime.now(UTC)}})

    second_code = api.post(f"user/link-code/{USER_A}", headers=service).json()["linkCode"]
    status, second = _extension_link(api, second_code, stale_key=stale)
    assert status == 200
    fresh = second["token"]
    assert fresh != stale
    assert api.put(f"user-profile/{USER_A}", json={"bio": "again"}, headers=bearer(fresh)).status_code == 200
    refused = api.put(f"user-profile/{USER_A}", json={"bio": "old"}, headers=bearer(stale))
    assert (refused.status_code, refused.json()) == (401, {"message": "Invalid or revoked API key"})


def test_relinking_the_same_device_revokes_its_previous_key(api: RunningHost) -> None:
    service = bearer(create_api_key(api.db, scope="service"))
    create_user(api.db, USER_A, "ada")
    device_id = _device_id()
    tokens: list[str] = []
    for _ in range(2):
        code = api.post(f"user/link-code/{USER_A}", headers=service).json()["linkCode"]
        headers = {**EXTENSION_HEADERS, **(bearer(tokens[-1]) if tokens else {})}
        link = api.post("extension/link", json={"linkCode": code}, headers=headers)
        assert link.status_code == 200
        tokens.append(api.get(f"extension/key/auth/{device_id}/{code}").json()["token"])
    assert api.put(f"user-profile/{USER_A}", json={}, headers=bearer(tokens[0])).status_code == 401
    assert api.put(f"user-profile/{USER_A}", json={}, headers=bearer(tokens[1])).status_code == 200
    assert api.db.apikeys.count_documents({"userId": USER_A, "revokedAt": None}) == 1
