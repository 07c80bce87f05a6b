"""Sign in with Discord for the website: the authorize URL, the callback, and the website session it starts.

The flow: ``GET /api/auth/discord`` (or the URL of ``/api/auth/discord/url``) sends the browser to
Discord's ``/oauth2/authorize`` with a signed ``state``; Discord sends it back with a ``code`` to the
``redirect_uri``; the callback uses the state once, trades the code for Discord's user (tracking.services.discord),
creates or updates that user, and starts a website session: a row in ``websessions`` and a signed token
(tracking.domain.signin). A sign-in that fails stores no user and no session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking import config
from tracking.config import Settings
from tracking.domain import signin as rules
from tracking.domain.access import Caller
from tracking.domain.profiles import User
from tracking.domain.signin import DiscordIdentity
from tracking.errors import AppError, BadRequest, ServiceUnavailable, UserNotFound
from tracking.services import discord, profiles
from tracking.store import oauthstates, users, websessions

RETRY_AFTER = {"Retry-After": "30"}
_REQUIRED = (config.DISCORD_CLIENT_ID, config.DISCORD_CLIENT_SECRET, config.WEBSITE_JWT_SECRET)


class SignInFailed(AppError):
    """A sign-in that cannot go on; ``reason`` is the code a browser sign-in sends to the website's login page."""

    def __init__(self, status: int, reason: str, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message, headers=headers)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class AuthorizationUrl:
    url: str
    client_id: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class SignIn:
    """A completed sign-in: the website session token, the user as stored now, and what Discord said."""

    token: str
    user: User
    identity: DiscordIdentity


@dataclass(frozen=True)
class BrowserSignIn:
    """Where a browser callback goes on: ``signed_in``, or the ``failure`` code for the login page."""

    website_url: str
    signed_in: SignIn | None
    failure: str | None


def _require_configured(settings: Settings) -> None:
    missing = [setting.name for setting in _REQUIRED if not settings.is_set(setting)]
    if missing:
        raise ServiceUnavailable(f"Sign in with Discord is not configured: set {', '.join(missing)}")


def _require_allowed(redirect_uri: str, settings: Settings) -> None:
    if not rules.is_allowed_redirect(
        redirect_uri, own_callback=settings.discord_redirect_uri, allowed=settings.auth_redirect_uris
    ):
        raise BadRequest("redirect_uri is not allowed: it must be DISCORD_REDIRECT_URI or one of AUTH_REDIRECT_URIS")


def authorization_url(*, redirect_uri: str | None, settings: Settings, now: datetime) -> AuthorizationUrl:
    """Discord's authorize URL for ``redirect_uri`` (default: this app's callback), with a new signed state."""
    _require_configured(settings)
    target = redirect_uri if redirect_uri is not None else settings.discord_redirect_uri
    _require_allowed(target, settings)
    state = rules.sign_state(redirect_uri=target, secret=settings.website_jwt_secret, now=now)
    url = discord.authorize_url(
        api_base=settings.discord_api_base,
        client_id=settings.discord_client_id,
        redirect_uri=target,
        scopes=settings.discord_scopes,
        state=state,
    )
    return AuthorizationUrl(url=url, client_id=settings.discord_client_id, scopes=settings.discord_scopes)


def _use_state(db: Database[Any], state: str, *, settings: Settings, now: datetime) -> rules.SignInState:
    """The state, verified and used up; a forged, expired or used one is refused."""
    try:
        issued = rules.read_state(state, secret=settings.website_jwt_secret, now=now)
    except rules.InvalidToken as error:
        raise SignInFailed(400, rules.INVALID_STATE, f"{error}: start the sign-in again") from error
    if not oauthstates.claim_by_id(db, issued.state_id, expires_at=issued.expires_at, now=now):
        raise SignInFailed(400, rules.INVALID_STATE, "This sign-in state was already used: start the sign-in again")
    return issued


def _identity(*, code: str, redirect_uri: str, settings: Settings) -> DiscordIdentity:
    try:
        payload = discord.fetch_user(
            api_base=settings.discord_api_base,
            client_id=settings.discord_client_id,
            client_secret=settings.discord_client_secret,
            redirect_uri=redirect_uri,
            scopes=settings.discord_scopes,
            code=code,
        )
    except discord.DiscordUnavailable as error:
        raise SignInFailed(
            503, rules.DISCORD_UNAVAILABLE, "Discord is unavailable, try again shortly", headers=RETRY_AFTER
        ) from error
    except discord.DiscordRefused as error:
        raise SignInFailed(
            502, rules.DISCORD_REFUSED, "Discord refused the sign-in: the code is invalid, used or expired"
        ) from error
    try:
        return rules.discord_identity(payload)
    except ValueError as error:
        raise SignInFailed(
            502, rules.DISCORD_REFUSED, f"Discord answered a user this server cannot use: {error}"
        ) from error


def _complete(db: Database[Any], *, code: str, redirect_uri: str, settings: Settings, now: datetime) -> SignIn:
    """Trade the code, then create or update the user and start their session (nothing is written before)."""
    identity = _identity(code=code, redirect_uri=redirect_uri, settings=settings)
    user = profiles.link_user(
        db,
        user_id=identity.user_id,
        username=identity.username,
        display_name=identity.display_name,
        avatar_url=rules.avatar_url(identity, cdn_url=settings.discord_cdn_url),
        now=now,
    )
    session_id = rules.new_token_id()
    websessions.insert_session(
        db, session_id=session_id, user_id=user.user_id, now=now, expires_at=rules.session_expiry(now)
    )
    token = rules.sign_session_token(
        user_id=user.user_id, session_id=session_id, secret=settings.website_jwt_secret, now=now
    )
    return SignIn(token=token, user=user, identity=identity)


def sign_in(
    db: Database[Any], *, code: str, redirect_uri: str, state: str | None, settings: Settings, now: datetime
) -> SignIn:
    """The JSON flow (``POST /api/auth/discord/callback``): the website got the code at ``redirect_uri``.

    A ``state`` from ``/api/auth/discord/url`` is checked and used up when sent; it must have been issued
    for the same ``redirect_uri``.
    """
    _require_configured(settings)
    _require_allowed(redirect_uri, settings)
    if state is not None and _use_state(db, state, settings=settings, now=now).redirect_uri != redirect_uri:
        raise SignInFailed(400, rules.INVALID_STATE, "The sign-in state was issued for another redirect_uri")
    return _complete(db, code=code, redirect_uri=redirect_uri, settings=settings, now=now)


def sign_in_from_browser(
    db: Database[Any], *, code: str | None, state: str | None, error: str | None, settings: Settings, now: datetime
) -> BrowserSignIn:
    """Discord's redirect back (``GET /api/auth/discord/callback``): signed in, or why not (denied, bad state...)."""
    _require_configured(settings)
    try:
        if error is not None:
            reason = rules.ACCESS_DENIED if error == rules.ACCESS_DENIED else rules.INVALID_REQUEST
            raise SignInFailed(400, reason, "Discord did not authorize the sign-in")
        if not code or not state:
            raise SignInFailed(400, rules.INVALID_REQUEST, "The callback needs code and state")
        issued = _use_state(db, state, settings=settings, now=now)
        done = _complete(db, code=code, redirect_uri=issued.redirect_uri, settings=settings, now=now)
    except SignInFailed as failure:
        return BrowserSignIn(website_url=settings.website_url, signed_in=None, failure=failure.reason)
    return BrowserSignIn(website_url=settings.website_url, signed_in=done, failure=None)


def read_signed_in_user(db: Database[Any], *, caller: Caller) -> User:
    """The user of a website session (``GET /api/auth/user``, ``POST /api/auth/verify-token``)."""
    user = users.find_user_by_id(db, caller.user_id or "")
    if user is None:
        raise UserNotFound()
    return user


def sign_out(db: Database[Any], *, caller: Caller) -> None:
    """Revoke the website session the request came with: its token is refused from now on."""
    websessions.delete_session_by_id(db, caller.key_id or "")
