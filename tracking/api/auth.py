"""Authentication in one place: each route declares an access rule, ``endpoint`` enforces it.

``Authorization: Bearer <key>`` is looked up by the key's SHA-256 in ``apikeys``; the WakaTime-compatible
routes also take the key the way WakaTime clients send it, ``Authorization: Basic base64(<key>)`` or
``?api_key=<key>``, and are the only routes an editor key (``waka_...``) opens. The optional
``ADMIN_API_KEY`` and ``SERVICE_API_KEY`` settings bootstrap the first keys and are compared by hash.
A Bearer JWT is a website session (Sign in with Discord, tracking.domain.signin): valid while its
signature, issuer, audience and expiry hold and its row in ``websessions`` exists. It acts for its own
user only, on the routes that take sessions (``sessions`` of the route's Access), never as a service.
On public routes an unknown or revoked key or session counts as none: the extension keeps sending whatever
key it stored and cannot drop it. Failed authentication makes no outbound call and echoes no secret.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import azure.functions as func

from tracking import config
from tracking.domain import signin
from tracking.domain.access import ANONYMOUS, Caller, Scope, hash_api_key
from tracking.errors import Forbidden, Unauthorized
from tracking.store import apikeys, websessions
from tracking.store.client import get_db

_current_caller: ContextVar[Caller] = ContextVar("current_caller", default=ANONYMOUS)

# RFC 6750: a 401 names the scheme the route expects.
CHALLENGE = {"WWW-Authenticate": "Bearer"}
WAKATIME_CHALLENGE = {"WWW-Authenticate": 'Basic realm="DisTrack"'}


# What a route does with a website session: refuses it, takes it for its own user, or takes nothing else.
SessionUse = Literal["refused", "own", "only"]


@dataclass(frozen=True)
class Access:
    """Who may call a route: anyone (``scope`` None), or a key with ``scope``.

    With ``user_param``, an ingest key (or a website session) must belong to the user named by that route
    parameter. ``wakatime`` marks the WakaTime-compatible routes: Basic and ``?api_key=`` are accepted, and
    editor keys too. ``sessions`` says whether a website session is taken (tracking.domain.signin).
    """

    scope: Scope | None = None
    user_param: str | None = None
    wakatime: bool = False
    sessions: SessionUse = "refused"

    @property
    def challenge(self) -> dict[str, str]:
        return WAKATIME_CHALLENGE if self.wakatime else CHALLENGE

    @property
    def needs_credential(self) -> bool:
        return self.scope is not None or self.sessions == "only"

    def check(self, caller: Caller, req: func.HttpRequest) -> None:
        if not self.needs_credential:
            return
        if caller.is_anonymous:
            if self.sessions == "only":
                raise Unauthorized(
                    "Authentication required: send Authorization: Bearer <session token>", headers=self.challenge
                )
            how = "Authorization: Basic base64(<API key>) or ?api_key=" if self.wakatime else "Authorization: Bearer"
            raise Unauthorized(f"Authentication required: send {how} <API key>", headers=self.challenge)
        if caller.is_session:
            if self.sessions == "refused":
                raise Forbidden("A website session cannot use this route")
        elif self.sessions == "only":
            raise Forbidden("This route takes a website session (Sign in with Discord), not an API key")
        elif self.scope is not None and not caller.has_scope(self.scope):
            raise Forbidden(f"This API key lacks the {self.scope} scope")
        if self.user_param is not None:
            require_acts_for(caller, req.route_params.get(self.user_param, ""))


PUBLIC = Access()
INGEST = Access(scope="ingest")
SERVICE = Access(scope="service")
ADMIN = Access(scope="admin")
# The WakaTime-compatible routes act for the key's own user (or, with a service key, the user named).
WAKATIME = Access(scope="ingest", wakatime=True)
# A website session and nothing else: who am I, verify my token, log me out.
WEBSITE_SESSION = Access(sessions="only")


def user_route(param: str = "userId") -> Access:
    """The user named by route parameter ``param``: their ingest key or website session, or a service key."""
    return Access(scope="ingest", user_param=param, sessions="own")


def service_or_own_session(param: str = "userId") -> Access:
    """A service key, or a website session of the user named by route parameter ``param`` (not an ingest key)."""
    return Access(scope="service", user_param=param, sessions="own")


def require_acts_for(caller: Caller, user_id: str) -> None:
    if not caller.acts_for(user_id):
        raise Forbidden(f"This {'session' if caller.is_session else 'API key'} may not act for this user")


def current_caller() -> Caller:
    """The caller of the request being handled (anonymous on public routes without a valid key)."""
    return _current_caller.get()


def bearer_token(req: func.HttpRequest) -> str | None:
    header = (req.headers.get("Authorization") or "").strip()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _basic_key(req: func.HttpRequest) -> str | None:
    """The key of ``Authorization: Basic base64(<key>)``, as wakatime-cli sends it; None for another scheme."""
    scheme, _, encoded = (req.headers.get("Authorization") or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    # wakatime-cli encodes the key alone; RFC 7617 clients send "<user>:<password>" with the key as the user.
    key = decoded.split(":", 1)[0].strip()
    return key or None


def presented_key(req: func.HttpRequest, access: Access) -> str | None:
    """The API key a request presents, by the schemes its route accepts (read here only, never logged)."""
    token = bearer_token(req)
    if token is None and access.wakatime:
        token = _basic_key(req) or (req.params.get("api_key") or "").strip() or None
    return token


@functools.cache
def _bootstrap_hashes() -> tuple[tuple[str, Scope, str], ...]:
    """``(hash, scope, setting name)`` of each configured bootstrap key, read once per process.

    Only the hashes are kept: requests are compared against them, never against the keys.
    """
    settings: tuple[tuple[config.Setting[str], Scope], ...] = (
        (config.ADMIN_API_KEY, "admin"),
        (config.SERVICE_API_KEY, "service"),
    )
    current = config.settings()
    return tuple(
        (hash_api_key(setting.parse_from(current.environ)), scope, setting.name)
        for setting, scope in settings
        if current.is_set(setting)
    )


def _bootstrap_caller(key_hash: str) -> Caller | None:
    for configured_hash, scope, name in _bootstrap_hashes():
        if hmac.compare_digest(configured_hash, key_hash):
            return Caller(scope=scope, key_id=f"setting:{name}")
    return None


def _session_caller(token: str, *, now: datetime) -> Caller:
    """The caller of a website session token; raises InvalidToken saying why it is not valid now."""
    secret = config.settings().website_jwt_secret
    if not secret:
        raise signin.InvalidToken("Invalid session token")
    claims = signin.read_session_token(token, secret=secret, now=now)
    if not websessions.is_active_by_id(get_db(), claims.session_id, user_id=claims.user_id, now=now):
        raise signin.InvalidToken("Revoked session token")
    return Caller(scope="ingest", user_id=claims.user_id, key_id=claims.session_id, credential="session")


def identify(req: func.HttpRequest, access: Access) -> Caller:
    """The caller of ``req``; raises Unauthorized for a bad key or session on a route that needs one.

    An editor key counts as no key on the public routes and is refused on the others: it is meant for
    editor plugins, so a leaked one cannot mint keys or touch the profile.
    """
    token = presented_key(req, access)
    if token is None:
        if access.needs_credential and req.headers.get("Authorization"):
            expected = "Basic base64(<API key>)" if access.wakatime else "Bearer <API key>"
            raise Unauthorized(f"Malformed Authorization header: expected {expected}", headers=access.challenge)
        return ANONYMOUS
    now = datetime.now(UTC)
    key_hash = hash_api_key(token)
    bootstrap = _bootstrap_caller(key_hash)
    if bootstrap is None and signin.is_session_token(token):
        try:
            return _session_caller(token, now=now)
        except signin.InvalidToken as error:
            if not access.needs_credential:
                return ANONYMOUS
            raise Unauthorized(f"{error}: sign in with Discord again", headers=access.challenge) from error
    caller = bootstrap or apikeys.find_caller_by_hash(get_db(), key_hash, now=now)
    if caller is not None and caller.key_format == "wakatime" and not access.wakatime:
        if not access.needs_credential:
            return ANONYMOUS
        raise Forbidden("Editor keys only work on the WakaTime routes (/api/compat/wakatime/v1)")
    if caller is not None:
        return caller
    if not access.needs_credential:
        return ANONYMOUS
    raise Unauthorized("Invalid or revoked API key", headers=access.challenge)


def authorize(req: func.HttpRequest, access: Access) -> Caller:
    caller = identify(req, access)
    access.check(caller, req)
    _current_caller.set(caller)
    return caller
