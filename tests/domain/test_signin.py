"""Sign-in rules: session tokens and states (signed, checked against now), Discord's user, the website's URLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from tracking.domain import signin

SECRET = "a-secret-of-at-least-thirty-two-characters"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
USER = "111111111111111111"


def test_a_session_token_names_its_user_and_session_for_seven_days() -> None:
    token = signin.sign_session_token(user_id=USER, session_id="s1", secret=SECRET, now=NOW)
    assert signin.is_session_token(token)
    claims = signin.read_session_token(token, secret=SECRET, now=NOW + timedelta(days=6, hours=23))
    assert claims == signin.SessionClaims(session_id="s1", user_id=USER, expires_at=NOW + timedelta(days=7))
    assert signin.session_expiry(NOW) == NOW + timedelta(days=7)
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert (payload["iss"], payload["aud"], payload["sub"], payload["jti"]) == (
        "distrack-functions",
        "distrack-website",
        USER,
        "s1",
    )


def test_an_expired_session_token_is_refused_at_its_exp() -> None:
    token = signin.sign_session_token(user_id=USER, session_id="s1", secret=SECRET, now=NOW)
    with pytest.raises(signin.ExpiredToken, match=r"^Expired session token$"):
        signin.read_session_token(token, secret=SECRET, now=NOW + timedelta(days=7))


@pytest.mark.parametrize(
    "token",
    [
        signin.sign_session_token(
            user_id=USER, session_id="s1", secret="another-secret-of-thirty-two-chars!!", now=NOW
        ),
        jwt.encode(
            {"sub": USER, "jti": "s", "iss": "someone-else", "aud": "distrack-website", "iat": 0, "exp": 2**40}, SECRET
        ),
        jwt.encode(
            {"sub": USER, "jti": "s", "iss": "distrack-functions", "aud": "other", "iat": 0, "exp": 2**40}, SECRET
        ),
        jwt.encode(
            {"sub": USER, "iss": "distrack-functions", "aud": "distrack-website", "iat": 0, "exp": 2**40}, SECRET
        ),
        jwt.encode(
            {"sub": 1, "jti": "s", "iss": "distrack-functions", "aud": "distrack-website", "iat": 0, "exp": 2**40},
            SECRET,
        ),
        jwt.encode(
            {"sub": USER, "jti": "s", "iss": "distrack-functions", "aud": "distrack-website", "iat": 0, "exp": 2**40},
            SECRET * 2,  # HS512, with a key long enough for it: an algorithm this server does not accept
            algorithm="HS512",
        ),
        signin.sign_state(redirect_uri="https://x.test/cb", secret=SECRET, now=NOW),
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
    ],
    ids=[
        "other-key",
        "other-issuer",
        "other-audience",
        "no-jti",
        "sub-not-text",
        "other-algorithm",
        "a-state",
        "alg-none",
    ],
)
def test_a_token_not_made_here_for_a_session_is_invalid(token: str) -> None:
    with pytest.raises(signin.InvalidToken, match=r"^Invalid session token$"):
        signin.read_session_token(token, secret=SECRET, now=NOW)


def test_a_state_names_its_redirect_and_lasts_ten_minutes() -> None:
    state = signin.sign_state(redirect_uri="https://x.test/cb", secret=SECRET, now=NOW)
    read = signin.read_state(state, secret=SECRET, now=NOW + timedelta(minutes=9, seconds=59))
    assert (read.redirect_uri, read.expires_at) == ("https://x.test/cb", NOW + timedelta(minutes=10))
    assert (
        read.state_id
        != signin.read_state(
            signin.sign_state(redirect_uri="https://x.test/cb", secret=SECRET, now=NOW), secret=SECRET, now=NOW
        ).state_id
    )
    with pytest.raises(signin.ExpiredToken, match=r"^Expired sign-in state$"):
        signin.read_state(state, secret=SECRET, now=NOW + timedelta(minutes=10))
    session = signin.sign_session_token(user_id=USER, session_id="s", secret=SECRET, now=NOW)
    with pytest.raises(signin.InvalidToken, match=r"^Invalid sign-in state$"):
        signin.read_state(session, secret=SECRET, now=NOW)


def test_api_keys_never_look_like_session_tokens() -> None:
    assert not signin.is_session_token("dtk_" + "A" * 43)
    assert not signin.is_session_token("waka_6f1c9a3e-0000-4000-8000-000000000000")
    assert not signin.is_session_token("a.b.c")


def test_redirects_are_allowed_by_exact_match_only() -> None:
    own, allowed = "https://api.test/api/auth/discord/callback", ("https://site.test/cb",)
    assert signin.is_allowed_redirect(own, own_callback=own, allowed=allowed)
    assert signin.is_allowed_redirect("https://site.test/cb", own_callback=own, allowed=allowed)
    for uri in (
        "https://site.test/cb/",
        "https://site.test/cb?x=1",
        "https://site.test/cbx",
        "https://site.test:444/cb",
    ):
        assert not signin.is_allowed_redirect(uri, own_callback=own, allowed=allowed), uri


def test_discords_user_and_the_names_taken_from_it() -> None:
    identity = signin.discord_identity(
        {
            "id": USER,
            "username": "ada",
            "global_name": "Ada",
            "avatar": "a_" + "0" * 32,
            "email": "a@b.c",
            "verified": True,
        }
    )
    assert (identity.display_name, identity.email, identity.verified) == ("Ada", "a@b.c", True)
    assert (
        signin.avatar_url(identity, cdn_url="https://cdn.test") == f"https://cdn.test/avatars/{USER}/a_{'0' * 32}.png"
    )
    plain = signin.discord_identity({"id": USER, "username": "ada", "global_name": "\u202eevil", "avatar": "../x"})
    assert (plain.display_name, plain.avatar, signin.avatar_url(plain, cdn_url="https://cdn.test")) == (
        "ada",
        None,
        None,
    )
    for payload, problem in (
        ([], "the user is not a JSON object"),
        ({"id": "12", "username": "ada"}, "the user id is not a snowflake"),
        ({"id": USER}, "the user has no username"),
        ({"id": USER, "username": " "}, "must not be empty"),
    ):
        with pytest.raises(ValueError, match=problem):
            signin.discord_identity(payload)


def test_the_website_urls() -> None:
    url = signin.signed_in_url("https://site.test", token="t.k.n", user={"userId": USER, "displayName": "Ada & Bob"})
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://site.test/auth/distrack"
    query = parse_qs(parts.query)
    assert query["token"] == ["t.k.n"]
    assert json.loads(query["user"][0]) == {"userId": USER, "displayName": "Ada & Bob"}
    assert signin.login_error_url("https://site.test", "access_denied") == "https://site.test/login?error=access_denied"
