"""The extension link flow: link codes for a user (service), the extension's link and its one key pickup.

The extension v0.9.10 posts ``{linkCode}`` (no device id, perhaps a stale key), then fetches its key
from ``/extension/key/auth/{deviceId}/{linkCode}`` with no credential; both steps are public, and
wrong codes count toward a lockout of the client (tracking.domain.linking holds the rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.domain import linking as rules
from tracking.domain.access import new_api_key
from tracking.domain.profiles import User
from tracking.domain.ratelimits import Limit
from tracking.domain.sealing import SealBroken, seal, unseal
from tracking.errors import AppError, Conflict, NotFound, TooManyRequests, UserNotFound
from tracking.store import apikeys, linkclaims, linkcodes, ratelimits, users

INVALID_CODE = "Invalid or expired link code"
EXTENSION_KEY_LABEL = "extension"
# The subject of the budget of wrong codes shared by all clients.
EVERYONE = "everyone"


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime
    # Seconds until the user may be given another code (0 while under the per-user limit).
    cooldown_seconds: int


@dataclass(frozen=True)
class Link:
    """A successful link: the linked user and the new ingest key."""

    user: User
    key: str


def _retry_after(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(seconds)}


def _enforce(db: Database[Any], limit: Limit, subject: str, message: str, *, now: datetime) -> None:
    decision = ratelimits.hit_by_subject(db, limit, subject, now=now)
    if not decision.allowed:
        raise TooManyRequests(message, headers=_retry_after(decision.retry_after_seconds))


def _require_user(db: Database[Any], user_id: str) -> None:
    if users.find_user_by_id(db, user_id) is None:
        raise UserNotFound()


def issue_link_code(db: Database[Any], *, user_id: str, caller_key_id: str, secret: str, now: datetime) -> IssuedCode:
    """A new code for a known user, replacing the previous one; rate limited per user and per caller."""
    _require_user(db, user_id)
    _enforce(db, rules.CODES_PER_USER, user_id, "Rate limit exceeded for user", now=now)
    _enforce(db, rules.CODES_PER_CALLER, caller_key_id, "Rate limit exceeded for caller", now=now)
    linkcodes.delete_expired(db, now=now)
    linkcodes.delete_codes_by_user(db, user_id)
    expires_at = rules.code_expiry(now)
    while True:
        code = rules.new_link_code()
        code_hash = rules.hash_link_code(code, secret)
        # A False insert means another user holds this code right now: draw again.
        if linkcodes.insert_code(db, code_hash=code_hash, user_id=user_id, now=now, expires_at=expires_at):
            break
    following = ratelimits.check_by_subject(db, rules.CODES_PER_USER, user_id, now=now)
    cooldown = 0 if following.allowed else following.retry_after_seconds
    return IssuedCode(code=code, expires_at=expires_at, cooldown_seconds=cooldown)


def withdraw_link_codes_by_user(db: Database[Any], *, user_id: str) -> None:
    _require_user(db, user_id)
    linkcodes.delete_codes_by_user(db, user_id)


def _count_attempt(db: Database[Any], client: str, *, now: datetime) -> None:
    """Count the attempt before judging it, so that no number of concurrent guesses passes the limit."""
    attempts = ratelimits.hit_by_subject(db, rules.LINK_ATTEMPTS_PER_CLIENT, client, now=now)
    everyone = ratelimits.check_by_subject(db, rules.LINK_FAILURES_OF_EVERYONE, EVERYONE, now=now)
    for decision in (attempts, everyone):
        if not decision.allowed:
            raise TooManyRequests(
                "Too many failed attempts, temporarily locked", headers=_retry_after(decision.retry_after_seconds)
            )


def _count_failure(db: Database[Any], *, now: datetime) -> None:
    """A wrong code also counts toward everyone's budget: guesses spread over many clients are stopped too."""
    ratelimits.hit_by_subject(db, rules.LINK_FAILURES_OF_EVERYONE, EVERYONE, now=now)


def _refusal_error(refusal: rules.LinkRefusal) -> AppError:
    if refusal is rules.LinkRefusal.USED:
        return Conflict("This link code has already been used")
    return NotFound(INVALID_CODE)


def link_extension(
    db: Database[Any], *, code: str, device_id: str | None, client: str, secret: str, now: datetime
) -> Link:
    """Trade a link code for a new ingest key of its user; a wrong code counts toward the client's lockout."""
    _count_attempt(db, client, now=now)
    linkcodes.delete_expired(db, now=now)
    code_hash = rules.hash_link_code(code, secret)
    consumed = linkcodes.find_unused_by_hash(db, code_hash, now=now)
    if consumed is None:
        _count_failure(db, now=now)
        raise _refusal_error(rules.refusal_of_unconsumed(still_stored=linkcodes.exists_by_hash(db, code_hash)))
    if not linkclaims.claim_by_hash(db, step="link", code_hash=code_hash, expires_at=consumed.expires_at, now=now):
        raise _refusal_error(rules.LinkRefusal.USED)  # another request used it a moment ago
    linkcodes.mark_used_by_id(db, consumed.id, now=now)
    if users.find_user_by_id(db, consumed.user_id) is None:  # the user was deleted after the code was issued
        raise NotFound(INVALID_CODE)
    key = new_api_key()
    record = apikeys.insert_key(
        db, key=key, scope="ingest", label=EXTENSION_KEY_LABEL, user_id=consumed.user_id, device_id=None, now=now
    )
    if device_id is not None:
        apikeys.bind_device_by_id(db, record.id, device_id=device_id, now=now)
    salt, sealed = seal(key, code, secret)
    linkcodes.attach_pending_key_by_id(db, consumed.id, key_id=record.id, sealed=sealed, salt=salt)
    user = users.mark_extension_linked_by_id(db, consumed.user_id, now=now)
    return Link(user=user, key=key)


def pickup_key(db: Database[Any], *, device_id: str, code: str, client: str, secret: str, now: datetime) -> str:
    """The key the link with ``code`` issued, once, within the code's lifetime; binds ``device_id`` to it."""
    if not rules.can_name_pending_key(device_id, code):
        raise NotFound(INVALID_CODE)
    _count_attempt(db, client, now=now)
    linkcodes.delete_expired(db, now=now)
    code_hash = rules.hash_link_code(code, secret)
    pending = linkcodes.find_pending_key_by_hash(db, code_hash, now=now)
    record = apikeys.find_key_by_id(db, pending.key_id) if pending else None
    if (
        pending is None
        or record is None
        or not rules.can_pick_up(bound_device_id=record.device_id, device_id=device_id)
        or not linkclaims.claim_by_hash(db, step="pickup", code_hash=code_hash, expires_at=pending.expires_at, now=now)
    ):
        _count_failure(db, now=now)
        raise NotFound(INVALID_CODE)
    linkcodes.remove_pending_key_by_hash(db, code_hash)
    apikeys.bind_device_by_id(db, pending.key_id, device_id=device_id, now=now)
    try:
        return unseal(pending.sealed, code, pending.salt, secret)
    except SealBroken as error:
        # Sealed before LINK_SECRET changed: the key cannot be handed out, the device links again.
        raise NotFound(INVALID_CODE) from error
