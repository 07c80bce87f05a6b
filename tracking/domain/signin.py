"""Rules of Sign in with Discord: website session tokens, the signed sign-in state, Discord's answer: pure, no I/O.

A website session token is a JWT (HS256 with ``WEBSITE_JWT_SECRET``) with ``iss``, ``aud``, ``sub`` (the
userId), ``jti`` (the session's id, kept in ``websessions`` so that a logout revokes it at once), ``iat`` and
``exp`` (7 days). The sign-in ``state`` is a JWT of another audience with a random ``jti`` and the
``redirect_uri`` it was issued for, valid 10 minutes; that it is used once is the store's part
(tracking.store.oauthstates). One audience can never pass for the other. Times are checked against the
``now`` passed in, never the clock.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import jwt

from tracking.domain.profiles import USER_ID_PATTERN, check_display_text

SESSION_TTL = timedelta(days=7)
STATE_TTL = timedelta(minutes=10)
ISSUER = "distrack-functions"
SESSION_AUDIENCE = "distrack-website"
STATE_AUDIENCE = "distrack-signin-state"
ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["iss", "aud", "sub", "jti", "iat", "exp"]

# The error codes a failed browser sign-in sends to ${WEBSITE_URL}/login?error=.
ACCESS_DENIED = "access_denied"
INVALID_REQUEST = "invalid_request"
INVALID_STATE = "invalid_state"
DISCORD_REFUSED = "discord_refused"
DISCORD_UNAVAILABLE = "discord_unavailable"


class InvalidToken(ValueError):
    """A token that is not valid now; the message says why, without echoing the token."""


class ExpiredToken(InvalidToken):
    pass


@dataclass(frozen=True)
class SessionClaims:
    session_id: str
    user_id: str
    expires_at: datetime


@dataclass(frozen=True)
class SignInState:
    state_id: str
    redirect_uri: str
    expires_at: datetime


def new_token_id() -> str:
    return secrets.token_urlsafe(24)


def is_session_token(token: str) -> bool:
    """Whether a presented credential has the shape of a JWT (API keys never hold a dot)."""
    return token.count(".") == 2 and token.startswith("eyJ")


def _sign(claims: Mapping[str, Any], *, audience: str, secret: str, now: datetime, ttl: timedelta) -> str:
    payload = {
        **claims,
        "iss": ISSUER,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def _read(token: str, *, audience: str, secret: str, now: datetime, what: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            # Times are checked below against ``now``; pyjwt would read the clock.
            options={"require": _REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidTokenError as error:
        raise InvalidToken(f"Invalid {what}") from error
    if not all(isinstance(claims[name], str) for name in ("sub", "jti")) or not isinstance(claims["exp"], int):
        raise InvalidToken(f"Invalid {what}")
    if claims["exp"] <= now.timestamp():
        raise ExpiredToken(f"Expired {what}")
    return claims


def sign_session_token(*, user_id: str, session_id: str, secret: str, now: datetime) -> str:
    return _sign(
        {"sub": user_id, "jti": session_id}, audience=SESSION_AUDIENCE, secret=secret, now=now, ttl=SESSION_TTL
    )


def session_expiry(now: datetime) -> datetime:
    return datetime.fromtimestamp(int((now + SESSION_TTL).timestamp()), UTC)


def read_session_token(token: str, *, secret: str, now: datetime) -> SessionClaims:
    claims = _read(token, audience=SESSION_AUDIENCE, secret=secret, now=now, what="session token")
    return SessionClaims(
        session_id=claims["jti"], user_id=claims["sub"], expires_at=datetime.fromtimestamp(claims["exp"], UTC)
    )


def sign_state(*, redirect_uri: str, secret: str, now: datetime) -> str:
    claims = {"sub": redirect_uri, "jti": new_token_id()}
    return _sign(claims, audience=STATE_AUDIENCE, secret=secret, now=now, ttl=STATE_TTL)


def read_state(token: str, *, secret: str, now: datetime) -> SignInState:
    claims = _read(token, audience=STATE_AUDIENCE, secret=secret, now=now, what="sign-in state")
    return SignInState(
        state_id=claims["jti"], redirect_uri=claims["sub"], expires_at=datetime.fromtimestamp(claims["exp"], UTC)
    )


def is_allowed_redirect(redirect_uri: str, *, own_callback: str, allowed: tuple[str, ...]) -> bool:
    """Exact matches only: no prefix, so no open redirect through a longer path, a query or another port."""
    return redirect_uri in (own_callback, *allowed)


# Discord avatar hashes: 32 hex digits, with ``a_`` for an animated one.
_AVATAR_HASH = re.compile(r"^(?:a_)?[0-9a-f]{32}$")


@dataclass(frozen=True)
class DiscordIdentity:
    """What ``/users/@me`` says of the user signing in; the email only with the ``email`` scope, never stored."""

    user_id: str
    username: str
    global_name: str | None
    avatar: str | None
    email: str | None
    verified: bool | None

    @property
    def display_name(self) -> str:
        """``global_name``, or the username when it has none or one that breaks the rule of shown names."""
        if self.global_name is not None:
            try:
                return check_display_text(self.global_name)
            except ValueError:
                pass
        return self.username


def discord_identity(payload: Any) -> DiscordIdentity:
    """The user in Discord's ``/users/@me`` answer; ValueError for an answer this server cannot use."""
    if not isinstance(payload, dict):
        raise ValueError("the user is not a JSON object")
    user_id, username = payload.get("id"), payload.get("username")
    if not isinstance(user_id, str) or not re.fullmatch(USER_ID_PATTERN, user_id):
        raise ValueError("the user id is not a snowflake")
    if not isinstance(username, str):
        raise ValueError("the user has no username")
    avatar, global_name, email = payload.get("avatar"), payload.get("global_name"), payload.get("email")
    verified = payload.get("verified")
    return DiscordIdentity(
        user_id=user_id,
        username=check_display_text(username),
        global_name=global_name if isinstance(global_name, str) else None,
        avatar=avatar if isinstance(avatar, str) and _AVATAR_HASH.fullmatch(avatar) else None,
        email=email if isinstance(email, str) else None,
        verified=verified if isinstance(verified, bool) else None,
    )


def avatar_url(identity: DiscordIdentity, *, cdn_url: str) -> str | None:
    """The user's avatar on Discord's CDN (``/avatars/<id>/<hash>.png``), None without one."""
    return f"{cdn_url}/avatars/{identity.user_id}/{identity.avatar}.png" if identity.avatar else None


def signed_in_url(website_url: str, *, token: str, user: Mapping[str, Any]) -> str:
    """``${WEBSITE_URL}/auth/distrack?token=<token>&user=<url-encoded JSON>``, as the website reads it."""
    user_json = json.dumps(user, separators=(",", ":"), ensure_ascii=False)
    return f"{website_url}/auth/distrack?token={quote(token, safe='')}&user={quote(user_json, safe='')}"


def login_error_url(website_url: str, reason: str) -> str:
    return f"{website_url}/login?error={quote(reason, safe='')}"
