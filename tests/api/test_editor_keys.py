"""Editor keys over real HTTP: a user issues, lists and revokes the ``waka_<uuid4>`` keys of their editors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.utils.factories import USER_A, USER_B, basic, bearer, create_api_key, create_editor_key, create_user
from tests.utils.hosts import RunningHost
from tracking.domain.access import hash_api_key

# wakatime-cli's own check (cmd/params/params.go): a lowercase UUID v4, optionally prefixed waka_.
CLI_KEY = re.compile(r"^(waka_)?[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$")
TODAY = "compat/wakatime/v1/users/current/statusbar/today"


def test_a_user_issues_an_editor_key_shown_once_that_wakatime_cli_accepts(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    extension = bearer(create_api_key(api.db, scope="ingest", user_id=USER_A))
    response = api.post(f"user/{USER_A}/editor-keys", json={"label": "neovim"}, headers=extension)
    assert response.status_code == 201
    issued = response.json()
    stored = api.db.apikeys.find_one({"format": "wakatime"})
    assert stored is not None
    assert issued == {
        "key": issued["key"],
        "id": str(stored["_id"]),
        "label": "neovim",
        "createdAt": issued["createdAt"],
    }
    key = issued["key"]
    assert CLI_KEY.match(key) and key.startswith("waka_")
    assert stored["keyHash"] == hash_api_key(key) and key not in repr(stored)
    assert (stored["scope"], stored["userId"], stored["prefix"]) == ("ingest", USER_A, key[:10])
    assert api.get(TODAY, headers=basic(key)).status_code == 200


def test_editor_keys_are_listed_without_the_key_and_revoked_one_by_one(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    service = bearer(create_api_key(api.db, scope="service"))
    first = api.post(f"user/{USER_A}/editor-keys", headers=service).json()
    second = api.post(f"user/{USER_A}/editor-keys", json={"label": "emacs"}, headers=service).json()
    create_api_key(api.db, scope="ingest", user_id=USER_A, label="extension")  # not an editor key: not listed
    listed = api.get(f"user/{USER_A}/editor-keys", headers=service)
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2
    assert [(item["id"], item["label"], item["prefix"]) for item in body["data"]] == [
        (second["id"], "emacs", second["key"][:10]),
        (first["id"], "Editor", first["key"][:10]),
    ]
    assert set(body["data"][0]) == {"id", "prefix", "label", "createdAt", "lastUsedAt", "revokedAt"}
    assert first["key"] not in listed.text and second["key"] not in listed.text

    revoked = api.delete(f"user/{USER_A}/editor-keys/{first['id']}", headers=service)
    assert revoked.status_code == 200
    assert revoked.json()["revokedAt"] is not None
    assert [item["id"] for item in api.get(f"user/{USER_A}/editor-keys", headers=service).json()["data"]] == [
        second["id"]
    ]
    refused = api.get(TODAY, headers=basic(first["key"]))
    assert refused.status_code == 401
    assert refused.json() == {"message": "Invalid or revoked API key", "error": "Invalid or revoked API key"}


def test_only_the_user_or_a_service_manages_their_editor_keys(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    create_user(api.db, USER_B, "bob")
    theirs = create_editor_key(api.db, USER_A)
    key_id = str(api.db.apikeys.find_one({"keyHash": hash_api_key(theirs)})["_id"])  # type: ignore[index]
    bob = bearer(create_api_key(api.db, scope="ingest", user_id=USER_B))
    assert api.post(f"user/{USER_A}/editor-keys", headers=bob).status_code == 403
    assert api.get(f"user/{USER_A}/editor-keys", headers=bob).status_code == 403
    assert api.delete(f"user/{USER_A}/editor-keys/{key_id}", headers=bob).status_code == 403
    # Bob's own route cannot reach Ada's key, nor a key that is not an editor key.
    missing = api.delete(f"user/{USER_B}/editor-keys/{key_id}", headers=bob)
    assert missing.status_code == 404
    assert missing.json() == {"message": "Editor key not found"}
    extension_id = str(api.db.apikeys.find_one({"userId": USER_B})["_id"])  # type: ignore[index]
    assert api.delete(f"user/{USER_B}/editor-keys/{extension_id}", headers=bob).status_code == 404
    assert api.post(f"user/{USER_A}/editor-keys").status_code == 401
    assert api.db.apikeys.count_documents({"revokedAt": {"$ne": None}}) == 0
    assert api.db.apikeys.count_documents({"format": "wakatime"}) == 1


def test_a_bad_label_is_a_400_and_issues_nothing(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    service = bearer(create_api_key(api.db, scope="service"))
    response = api.post(f"user/{USER_A}/editor-keys", json={"label": "x", "scope": "admin"}, headers=service)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "scope", "message": "Extra inputs are not permitted"}]
    assert api.db.apikeys.count_documents({"format": "wakatime"}) == 0


def test_admin_keys_issue_a_wakatime_format_key(api: RunningHost) -> None:
    create_user(api.db, USER_A, "ada")
    admin = bearer(create_api_key(api.db, scope="admin"))
    body = {"scope": "ingest", "label": "vim", "userId": USER_A, "format": "wakatime"}
    response = api.post("admin/keys", json=body, headers=admin)
    assert response.status_code == 201
    issued = response.json()
    assert CLI_KEY.match(issued["key"]) and issued["key"].startswith("waka_")
    assert (issued["format"], issued["scope"], issued["userId"]) == ("wakatime", "ingest", USER_A)
    now = datetime.now(UTC)
    beat = {"entity": "main.go", "type": "file", "time": (now - timedelta(minutes=1)).timestamp()}
    assert (
        api.post("compat/wakatime/v1/users/current/heartbeats", json=beat, headers=basic(issued["key"])).status_code
        == 201
    )
    refused = api.post("admin/keys", json={**body, "scope": "service", "userId": None}, headers=admin)
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "body", "message": "Value error, a wakatime key is an ingest key"}]
