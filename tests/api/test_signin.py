"""Sign in with Discord over real HTTP against a fake Discord on loopback, and what a website session may do."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.utils.factories import USER_A, USER_B, bearer, create_api_key, create_user
from tests.utils.fake_discord import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    JWT_SECRET,
    WEBSITE,
    WEBSITE_CALLBACK,
    FakeDiscord,
    sign_in,
)
from tests.utils.fake_discord import query_of as _query
from tests.utils.hosts import SERVICE_KEY, RunningHost
from tracking.domain import signin as rules

AVATAR = "0123456789abcdef0123456789abcdef"
ADA = {"id": USER_A, "username": "ada", "global_name": "Ada Lovelace", "avatar": AVATAR, "discriminator": "0"}


@pytest.fixture
def host(discord_host: RunningHost, fake_discord: FakeDiscord) -> RunningHost:
    discord_host.clear_database()
    fake_discord.reset()
    return discord_host


def _get(host: RunningHost, path: str, **kwargs: Any) -> requests.Response:
    return host.get(path, allow_redirects=False, **kwargs)


def _start(host: RunningHost) -> str:
    """The state of a sign-in started at GET /api/auth/discord, as Discord would hand it back."""
    response = _get(host, "auth/discord")
    assert response.status_code == 302, response.text
    return _query(response.headers["Location"])["state"]


def _sign_in(host: RunningHost, fake: FakeDiscord, user: dict[str, Any] = ADA, code: str = "code-ada") -> str:
    return sign_in(host, fake, user, code)


def _stored(host: RunningHost) -> tuple[int, int]:
    return host.db.users.count_documents({}), host.db.websessions.count_documents({})


def _login_error(response: requests.Response) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(f"{WEBSITE}/login?")
    return _query(location)["error"]


SIGNED_IN_ADA = {
    "userId": USER_A,
    "username": "ada",
    "displayName": "Ada Lovelace",
    "avatarUrl": None,  # set per test: the fake's CDN address
    "totalCodingTime": 0.0,
    "currentStreak": 0,
    "longestStreak": 0,
}


def _signed_in_ada(fake: FakeDiscord) -> dict[str, Any]:
    return {**SIGNED_IN_ADA, "avatarUrl": f"{fake.base_url}/avatars/{USER_A}/{AVATAR}.png"}


# The browser flow


def test_the_authorize_redirect_goes_to_discord_with_a_signed_state(
    host: RunningHost, fake_discord: FakeDiscord
) -> None:
    response = _get(host, "auth/discord")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = response.headers["Location"]
    assert location.startswith(f"{fake_discord.base_url}/oauth2/authorize?")
    query = _query(location)
    assert {name: value for name, value in query.items() if name != "state"} == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "scope": "identify",
    }
    state = rules.read_state(query["state"], secret=JWT_SECRET, now=datetime.now(UTC))
    assert state.redirect_uri == CALLBACK
    assert _stored(host) == (0, 0)


def test_a_sign_in_creates_the_user_and_sends_the_website_a_session(
    host: RunningHost, fake_discord: FakeDiscord
) -> None:
    state = _start(host)
    fake_discord.add_code("code-ada", ADA)
    response = _get(host, "auth/discord/callback", params={"code": "code-ada", "state": state})

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{WEBSITE}/auth/distrack?token=")
    query = _query(location)
    assert json.loads(query["user"]) == _signed_in_ada(fake_discord)
    # Discord was asked with this app's client, the code and the redirect it was issued for.
    assert fake_discord.token_requests == [
        {
            "grant_type": "authorization_code",
            "code": "code-ada",
            "redirect_uri": CALLBACK,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
    ]
    user = host.db.users.find_one({"userId": USER_A})
    assert user is not None
    assert (user["username"], user["displayName"], user["avatarUrl"]) == (
        "ada",
        "Ada Lovelace",
        f"{fake_discord.base_url}/avatars/{USER_A}/{AVATAR}.png",
    )
    assert user["lastLinkedAt"] is not None and len(user["languages"]) == 26
    [session] = host.db.websessions.find({})
    assert session["userId"] == USER_A
    claims = rules.read_session_token(query["token"], secret=JWT_SECRET, now=datetime.now(UTC))
    assert (claims.user_id, claims.session_id) == (USER_A, session["_id"])
    assert claims.expires_at - datetime.now(UTC) > timedelta(days=6, hours=23)
    # Discord's access token is nowhere in the database.
    assert not [
        name for name in host.db.list_collection_names() for doc in host.db[name].find() if "access-" in repr(doc)
    ]

    me = host.get("auth/user", headers=bearer(query["token"]))
    assert (me.status_code, me.json()) == (200, {"authenticated": True, "user": _signed_in_ada(fake_discord)})


def test_signing_in_again_updates_the_user(host: RunningHost, fake_discord: FakeDiscord) -> None:
    create_user(host.db, USER_A, "old-name", bio="kept", totalCodingTime=3600)
    _sign_in(host, fake_discord, {**ADA, "global_name": None, "avatar": None})
    user = host.db.users.find_one({"userId": USER_A})
    assert user is not None
    assert (user["username"], user["displayName"], user["avatarUrl"], user["bio"], user["totalCodingTime"]) == (
        "ada",
        "ada",
        None,
        "kept",
        3600,
    )


def test_a_replayed_state_is_refused_and_stores_nothing_more(host: RunningHost, fake_discord: FakeDiscord) -> None:
    state = _start(host)
    fake_discord.add_code("code-ada", ADA)
    first = _get(host, "auth/discord/callback", params={"code": "code-ada", "state": state})
    assert first.status_code == 302 and "/auth/distrack?" in first.headers["Location"]
    fake_discord.add_code("code-again", ADA)

    replay = _get(host, "auth/discord/callback", params={"code": "code-again", "state": state})
    assert _login_error(replay) == "invalid_state"
    assert _stored(host) == (1, 1)
    assert len(fake_discord.token_requests) == 1  # the replay never reached Discord


@pytest.mark.parametrize(
    "state",
    [
        "not-a-jwt",
        rules.sign_state(redirect_uri=CALLBACK, secret="another-secret-0123456789abcdefghijkl", now=datetime.now(UTC)),
        rules.sign_state(redirect_uri=CALLBACK, secret=JWT_SECRET, now=datetime.now(UTC) - timedelta(minutes=11)),
        # A session token is signed with the same key but is no state.
        rules.sign_session_token(user_id=USER_A, session_id="s", secret=JWT_SECRET, now=datetime.now(UTC)),
    ],
    ids=["garbage", "forged", "expired", "session-token"],
)
def test_a_bad_state_is_refused_before_discord_is_asked(
    host: RunningHost, fake_discord: FakeDiscord, state: str
) -> None:
    fake_discord.add_code("code-ada", ADA)
    response = _get(host, "auth/discord/callback", params={"code": "code-ada", "state": state})
    assert _login_error(response) == "invalid_state"
    assert _stored(host) == (0, 0)
    assert fake_discord.token_requests == []


def test_denied_consent_goes_to_the_login_page(host: RunningHost, fake_discord: FakeDiscord) -> None:
    state = _start(host)
    params = {"error": "access_denied", "error_description": "The resource owner denied the request", "state": state}
    assert _login_error(_get(host, "auth/discord/callback", params=params)) == "access_denied"
    assert _login_error(_get(host, "auth/discord/callback", params={"error": "server_error"})) == "invalid_request"
    assert _login_error(_get(host, "auth/discord/callback", params={"code": "x"})) == "invalid_request"
    assert _stored(host) == (0, 0)
    assert fake_discord.token_requests == []


def test_a_refused_code_and_an_outage_go_to_the_login_page(host: RunningHost, fake_discord: FakeDiscord) -> None:
    refused = _get(host, "auth/discord/callback", params={"code": "unknown", "state": _start(host)})
    assert _login_error(refused) == "discord_refused"
    fake_discord.outage = True
    fake_discord.add_code("code-ada", ADA)
    down = _get(host, "auth/discord/callback", params={"code": "code-ada", "state": _start(host)})
    assert _login_error(down) == "discord_unavailable"
    assert _stored(host) == (0, 0)


def test_a_redirect_uri_must_be_on_the_allow_list(host: RunningHost) -> None:
    not_allowed = {
        "message": "redirect_uri is not allowed: it must be DISCORD_REDIRECT_URI or one of AUTH_REDIRECT_URIS"
    }
    for uri in (
        "https://evil.test/auth/callback",
        f"{WEBSITE_CALLBACK}/../../evil",
        f"{WEBSITE_CALLBACK}?next=https://evil.test",
        "https://distrack.test.evil.test/auth/callback",
    ):
        for path in ("auth/discord", "auth/discord/url"):
            response = _get(host, path, params={"redirect_uri": uri})
            assert (response.status_code, response.json()) == (400, not_allowed), (path, uri)
        posted = host.post("auth/discord/callback", json={"code": "c", "redirect_uri": uri})
        assert (posted.status_code, posted.json()) == (400, not_allowed)


def test_the_authorize_url_as_json(host: RunningHost, fake_discord: FakeDiscord) -> None:
    response = host.get("auth/discord/url", params={"redirect_uri": WEBSITE_CALLBACK})
    assert response.status_code == 200
    body = response.json()
    assert (body["clientId"], body["scopes"]) == (CLIENT_ID, ["identify"])
    assert body["authUrl"].startswith(f"{fake_discord.base_url}/oauth2/authorize?")
    assert _query(body["authUrl"])["redirect_uri"] == WEBSITE_CALLBACK
    missing = host.get("auth/discord/url")
    assert (missing.status_code, missing.json()["errors"]) == (
        400,
        [{"field": "redirect_uri", "message": "Field required"}],
    )


# The JSON flow


def test_the_json_flow_answers_the_session_and_never_discords_token(
    host: RunningHost, fake_discord: FakeDiscord
) -> None:
    fake_discord.add_code("code-ada", ADA)
    response = host.post("auth/discord/callback", json={"code": "code-ada", "redirect_uri": WEBSITE_CALLBACK})
    assert response.status_code == 200, response.text
    body = response.json()
    token = body.pop("jwt_token")
    assert body == {
        "user": {
            "id": USER_A,
            "username": "ada",
            "global_name": "Ada Lovelace",
            "avatar": AVATAR,
            "email": None,
            "verified": None,
        },
        "userProfile": _signed_in_ada(fake_discord),
    }
    assert "access-" not in response.text
    assert fake_discord.token_requests[0]["redirect_uri"] == WEBSITE_CALLBACK
    verified = host.post("auth/verify-token", headers=bearer(token))
    assert (verified.status_code, verified.json()) == (200, {"valid": True, "user": _signed_in_ada(fake_discord)})


def test_the_json_flow_checks_and_uses_up_a_state_it_is_sent(host: RunningHost, fake_discord: FakeDiscord) -> None:
    state = _query(host.get("auth/discord/url", params={"redirect_uri": WEBSITE_CALLBACK}).json()["authUrl"])["state"]
    fake_discord.add_code("code-ada", ADA)
    body = {"code": "code-ada", "redirect_uri": WEBSITE_CALLBACK, "state": state}
    assert host.post("auth/discord/callback", json=body).status_code == 200
    fake_discord.add_code("code-ada", ADA)
    replay = host.post("auth/discord/callback", json=body)
    assert (replay.status_code, replay.json()) == (
        400,
        {"message": "This sign-in state was already used: start the sign-in again"},
    )
    other = _start(host)  # issued for this app's callback, not the website's
    mismatch = host.post("auth/discord/callback", json={**body, "state": other})
    assert (mismatch.status_code, mismatch.json()) == (
        400,
        {"message": "The sign-in state was issued for another redirect_uri"},
    )
    assert _stored(host) == (1, 1)


def test_a_failing_token_exchange_is_502_and_stores_nothing(host: RunningHost, fake_discord: FakeDiscord) -> None:
    response = host.post("auth/discord/callback", json={"code": "unknown", "redirect_uri": WEBSITE_CALLBACK})
    assert (response.status_code, response.json()) == (
        502,
        {"message": "Discord refused the sign-in: the code is invalid, used or expired"},
    )
    assert _stored(host) == (0, 0)


def test_a_discord_user_that_cannot_be_used_is_502(host: RunningHost, fake_discord: FakeDiscord) -> None:
    fake_discord.add_code("code-bad", {"id": "not-a-snowflake", "username": "x"})
    response = host.post("auth/discord/callback", json={"code": "code-bad", "redirect_uri": WEBSITE_CALLBACK})
    assert (response.status_code, response.json()) == (
        502,
        {"message": "Discord answered a user this server cannot use: the user id is not a snowflake"},
    )
    assert _stored(host) == (0, 0)


def test_a_discord_outage_is_503_and_stores_nothing(host: RunningHost, fake_discord: FakeDiscord) -> None:
    fake_discord.outage = True
    fake_discord.add_code("code-ada", ADA)
    response = host.post("auth/discord/callback", json={"code": "code-ada", "redirect_uri": WEBSITE_CALLBACK})
    assert (response.status_code, response.json()) == (503, {"message": "Discord is unavailable, try again shortly"})
    assert response.headers["Retry-After"] == "30"
    assert _stored(host) == (0, 0)


# The website session


def test_logout_revokes_the_session_at_once(host: RunningHost, fake_discord: FakeDiscord) -> None:
    token = _sign_in(host, fake_discord)
    other = _sign_in(host, fake_discord, code="code-ada-2")
    out = host.get("auth/logout", headers=bearer(token))
    assert (out.status_code, out.json()) == (200, {"message": "Logged out successfully"})
    for path in ("auth/user", "auth/logout"):
        refused = host.get(path, headers=bearer(token))
        assert (refused.status_code, refused.json()) == (
            401,
            {"message": "Revoked session token: sign in with Discord again"},
        )
    profile = host.put(f"user-profile/{USER_A}", json={"bio": "x"}, headers=bearer(token))
    assert profile.status_code == 401
    # On a public route a revoked session counts as none; the other session still works.
    assert host.get("leaderboard", headers=bearer(token)).status_code == 200
    assert host.get("auth/user", headers=bearer(other)).status_code == 200
    assert host.db.websessions.count_documents({}) == 1


def test_an_expired_or_forged_session_token_is_refused(host: RunningHost, fake_discord: FakeDiscord) -> None:
    _sign_in(host, fake_discord)
    [session] = host.db.websessions.find({})
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    expired = rules.sign_session_token(user_id=USER_A, session_id=session["_id"], secret=JWT_SECRET, now=eight_days_ago)
    forged = rules.sign_session_token(
        user_id=USER_A, session_id=session["_id"], secret="not-the-website-secret-0123456789abcd", now=datetime.now(UTC)
    )
    for token, message in (
        (expired, "Expired session token: sign in with Discord again"),
        (forged, "Invalid session token: sign in with Discord again"),
    ):
        response = host.get("auth/user", headers=bearer(token))
        assert (response.status_code, response.json()) == (401, {"message": message})
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert token not in response.text


def test_session_routes_take_only_a_session(host: RunningHost) -> None:
    anonymous = host.get("auth/user")
    assert (anonymous.status_code, anonymous.json()) == (
        401,
        {"message": "Authentication required: send Authorization: Bearer <session token>"},
    )
    with_key = host.post("auth/verify-token", headers=bearer(SERVICE_KEY))
    assert (with_key.status_code, with_key.json()) == (
        403,
        {"message": "This route takes a website session (Sign in with Discord), not an API key"},
    )


def test_a_session_edits_its_own_profile_and_nothing_else(host: RunningHost, fake_discord: FakeDiscord) -> None:
    create_user(host.db, USER_B, "grace", isPublic=False)
    session = bearer(_sign_in(host, fake_discord))

    own = host.put(f"user-profile/{USER_A}", json={"bio": "engine"}, headers=session)
    assert own.status_code == 200 and own.json()["user"]["bio"] == "engine"
    other = host.put(f"user-profile/{USER_B}", json={"bio": "hacked"}, headers=session)
    assert (other.status_code, other.json()) == (403, {"message": "This session may not act for this user"})
    assert host.db.users.find_one({"userId": USER_B})["bio"] == ""  # type: ignore[index]
    # Another user's private profile stays private to the session.
    assert host.get(f"user-profile/{USER_B}", headers=session).json() == {"userId": USER_B, "isPublic": False}

    assert host.post(f"user/link-code/{USER_A}", headers=session).status_code == 200
    assert host.post(f"user/link-code/{USER_B}", headers=session).status_code == 403
    assert host.delete(f"user/link-code/{USER_A}", headers=session).json() == {"success": True}
    assert host.post(f"user/{USER_A}/editor-keys", json={"label": "vim"}, headers=session).status_code == 201
    assert host.get(f"user/{USER_A}/export", headers=session).status_code == 200
    assert host.get(f"user/{USER_B}/export", headers=session).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "link", {"userId": USER_B, "username": "grace"}),
        ("GET", "admin/keys", None),
        ("POST", "admin/keys", {"scope": "admin", "label": "mine"}),
        ("POST", "coding-session", {"userId": USER_A, "duration": 60, "sessionDate": "2026-01-01T00:00:00Z"}),
        ("POST", "auth/discord/user", {"discordId": USER_B, "username": "grace"}),
        ("GET", "admin/stats", None),
        ("POST", "compat/wakatime/v1/users/current/heartbeats", {"time": 1, "entity": "a.py", "type": "file"}),
    ],
)
def test_a_session_cannot_use_service_admin_or_ingest_routes(
    host: RunningHost, fake_discord: FakeDiscord, method: str, path: str, body: Any
) -> None:
    session = bearer(_sign_in(host, fake_discord))
    response = host.request(method, path, json=body, headers=session)
    # The WakaTime routes repeat the message as "error", as WakaTime clients read it.
    assert (response.status_code, response.json()["message"]) == (403, "A website session cannot use this route")
    assert host.db.apikeys.count_documents({}) == 0
    assert host.db.users.count_documents({"userId": USER_B}) == 0


def test_deleting_the_user_ends_their_sessions(host: RunningHost, fake_discord: FakeDiscord) -> None:
    session = bearer(_sign_in(host, fake_discord))
    deleted = host.delete(f"user/{USER_A}", json={"confirm": USER_A}, headers=session)
    assert deleted.status_code == 200 and deleted.json()["deleted"]["websessions"] == 1
    assert host.get("auth/user", headers=session).json() == {
        "message": "Revoked session token: sign in with Discord again"
    }


# Discord user lookups


def test_the_public_discord_user_lookup(host: RunningHost) -> None:
    create_user(host.db, USER_A, "ada", displayName="Ada", totalCodingTime=3600.0, currentStreak=2, longestStreak=5)
    create_user(host.db, USER_B, "grace", isPublic=False)
    body = host.get(f"auth/discord/user/{USER_A}").json()
    assert set(body["user"]) == {
        "userId",
        "username",
        "displayName",
        "avatarUrl",
        "totalCodingTime",
        "currentStreak",
        "longestStreak",
        "linkedAt",
        "lastLinkedAt",
    }
    assert (body["exists"], body["user"]["displayName"], body["user"]["totalCodingTime"]) == (True, "Ada", 3600.0)
    assert host.get(f"auth/discord/user/{USER_B}").json() == {
        "exists": True,
        "user": {"userId": USER_B, "isPublic": False},
    }
    missing = host.get("auth/discord/user/333333333333333333")
    assert (missing.status_code, missing.json()) == (404, {"message": "User not found"})


def test_creating_a_user_is_for_services_only(host: RunningHost) -> None:
    body = {"discordId": USER_A, "username": "ada", "displayName": "Ada", "email": "a@b.c", "timezone": "GMT+1"}
    anonymous = host.post("auth/discord/user", json=body)
    assert anonymous.status_code == 401
    ingest = host.post(
        "auth/discord/user", json=body, headers=bearer(create_api_key(host.db, scope="ingest", user_id=USER_B))
    )
    assert ingest.status_code == 403
    assert host.db.users.count_documents({}) == 0

    created = host.post("auth/discord/user", json=body, headers=bearer(SERVICE_KEY))
    assert created.status_code == 201
    assert created.json()["message"] == "User created successfully"
    assert (created.json()["user"]["displayName"], created.json()["user"]["lastLinkedAt"] is not None) == ("Ada", True)
    stored = host.db.users.find_one({"userId": USER_A})
    assert stored is not None and "email" not in stored and stored["timezone"] == "UTC"
    again = host.post("auth/discord/user", json={**body, "username": "other"}, headers=bearer(SERVICE_KEY))
    assert (again.status_code, again.json()) == (409, {"message": "User already exists"})
    assert host.db.users.find_one({"userId": USER_A})["username"] == "ada"  # type: ignore[index]


def test_without_a_discord_app_the_sign_in_routes_are_503(api: RunningHost) -> None:
    # The default test host has no DISCORD_CLIENT_ID nor secret (the example settings sign no one in).
    expected = {"message": "Sign in with Discord is not configured: set DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET"}
    for response in (
        api.get("auth/discord", allow_redirects=False),
        api.get("auth/discord/url", params={"redirect_uri": "http://localhost:7071/api/auth/discord/callback"}),
        api.get("auth/discord/callback", params={"code": "c", "state": "s"}, allow_redirects=False),
        api.post("auth/discord/callback", json={"code": "c", "redirect_uri": "http://localhost:7071/"}),
    ):
        assert (response.status_code, response.json()) == (503, expected)
