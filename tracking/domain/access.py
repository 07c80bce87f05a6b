"""API keys and who may do what: pure rules, no I/O.

Scopes: ``ingest`` is one user's extension device (writes that user's sessions, reads that user's
data), ``service`` is the bot and the website backend (reads everything, manages links and
profiles), ``admin`` runs the admin routes and may do anything a service key may. A website session
(Sign in with Discord, tracking.domain.signin) is no key: it acts for its own user with an ingest key's
reach, and only on the routes that take a session (tracking.api.auth).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

Scope = Literal["ingest", "service", "admin"]
SCOPES: tuple[Scope, ...] = ("ingest", "service", "admin")
# ``wakatime``: an editor key, accepted only by the WakaTime-compatible routes.
KeyFormat = Literal["distrack", "wakatime"]
# What a caller presented: an API key, or a website session token.
Credential = Literal["key", "session"]

KEY_PREFIX = "dtk_"
EDITOR_KEY_PREFIX = "waka_"


def new_api_key() -> str:
    """A random key: 32 bytes from the OS generator, URL-safe, with a recognisable prefix."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_editor_key() -> str:
    """``waka_<uuid4>``: wakatime-cli refuses, before sending, any key not of this form.

    122 random bits from the OS generator (what the form allows) instead of 256: still far beyond guessing.
    """
    return EDITOR_KEY_PREFIX + str(uuid.uuid4())


def new_key(key_format: KeyFormat) -> str:
    return new_editor_key() if key_format == "wakatime" else new_api_key()


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """What a key listing may show of a key: enough to recognise it, too little to use it."""
    return key[: len(KEY_PREFIX) + 6]


@dataclass(frozen=True)
class Caller:
    """Who sent a request: no key (anonymous), or a valid key with its scope and, for ingest, its user.

    A website session is an ``ingest`` caller of its user with ``credential`` ``"session"``.
    """

    scope: Scope | None = None
    user_id: str | None = None
    key_id: str | None = None
    key_format: KeyFormat = "distrack"
    credential: Credential = "key"

    @property
    def is_anonymous(self) -> bool:
        return self.scope is None

    @property
    def is_session(self) -> bool:
        return self.credential == "session"

    @property
    def is_service(self) -> bool:
        return self.scope in ("service", "admin")

    def has_scope(self, scope: Scope) -> bool:
        if self.scope is None:
            return False
        if self.scope == "admin":
            return True
        if self.scope == "service":
            return scope in ("service", "ingest")
        return scope == "ingest"

    def acts_for(self, user_id: str) -> bool:
        """A service or admin key acts for anyone; an ingest key only for its own user."""
        return self.is_service or (self.scope == "ingest" and self.user_id == user_id)


ANONYMOUS = Caller()
