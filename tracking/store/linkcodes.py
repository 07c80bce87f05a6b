"""The ``linkcodes`` collection and the extension link flow built on it.

One document per issued code: ``codeHash``, ``userId``, ``createdAt``, ``expiresAt``, ``usedAt``;
once used, ``keyId`` and, until the extension picks its key up, ``pickupKey``/``pickupSalt`` (the
issued key sealed with the code, see tracking.domain.linkcodes). A user has at most one code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.domain import linkcodes
from tracking.domain.linkcodes import LINK_FAILURES_PER_CLIENT, Limit
from tracking.errors import Conflict, NotFound, TooManyRequests
from tracking.store import apikeys, ratelimits, users
from tracking.store.client import indexes

COLLECTION = "linkcodes"

INVALID_CODE = "Invalid or expired link code"


@indexes
def create_linkcode_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index("codeHash", unique=True, name="codeHash_1")
    db[COLLECTION].create_index("userId", name="userId_1")


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Link:
    user: dict[str, Any]
    key: str


def _delete_expired(db: Database[Any], now: datetime) -> None:
    # No TTL index (FerretDB has none): expired codes, and any key sealed in them, go on the next use.
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})


def _enforce(db: Database[Any], limit: Limit, subject: str, message: str, *, now: datetime) -> None:
    decision = ratelimits.hit_by_subject(db, limit, subject, now=now)
    if not decision.allowed:
        raise TooManyRequests(message, headers={"Retry-After": str(decision.retry_after_seconds)})


def issue_link_code(db: Database[Any], *, user_id: str, caller_key_id: str, now: datetime) -> IssuedCode:
    """A new code for a known user, replacing the previous one; rate limited per user and per caller."""
    if users.find_user_by_id(db, user_id) is None:
        raise NotFound("User not found")
    _enforce(db, linkcodes.CODES_PER_USER, user_id, "Rate limit exceeded for user", now=now)
    _enforce(db, linkcodes.CODES_PER_CALLER, caller_key_id, "Rate limit exceeded for caller", now=now)
    _delete_expired(db, now)
    db[COLLECTION].delete_many({"userId": user_id})
    expires_at = linkcodes.code_expiry(now)
    while True:
        code = linkcodes.new_link_code()
        document = {
            "codeHash": linkcodes.hash_link_code(code),
            "userId": user_id,
            "createdAt": now,
            "expiresAt": expires_at,
            "usedAt": None,
        }
        try:
            db[COLLECTION].insert_one(document)
        except DuplicateKeyError:  # another user holds this code right now: draw again
            continue
        return IssuedCode(code=code, expires_at=expires_at)


def withdraw_link_codes_by_user(db: Database[Any], user_id: str) -> None:
    if users.find_user_by_id(db, user_id) is None:
        raise NotFound("User not found")
    db[COLLECTION].delete_many({"userId": user_id})


def _refuse_locked_client(db: Database[Any], client: str, *, now: datetime) -> None:
    decision = ratelimits.check_by_subject(db, LINK_FAILURES_PER_CLIENT, client, now=now)
    if not decision.allowed:
        raise TooManyRequests(
            "Too many failed attempts, temporarily locked",
            headers={"Retry-After": str(decision.retry_after_seconds)},
        )


def _count_failure(db: Database[Any], client: str, *, now: datetime) -> None:
    ratelimits.hit_by_subject(db, LINK_FAILURES_PER_CLIENT, client, now=now)


def link_extension(db: Database[Any], *, code: str, device_id: str | None, client: str, now: datetime) -> Link:
    """Trade a link code for a new ingest key of its user; a wrong code counts toward the client's lockout."""
    _refuse_locked_client(db, client, now=now)
    _delete_expired(db, now)
    code_hash = linkcodes.hash_link_code(code)
    consumed = db[COLLECTION].find_one_and_update(
        {"codeHash": code_hash, "usedAt": None, "expiresAt": {"$gt": now}}, {"$set": {"usedAt": now}}
    )
    if consumed is None:
        _count_failure(db, client, now=now)
        if db[COLLECTION].find_one({"codeHash": code_hash}) is not None:
            raise Conflict("This link code has already been used")
        raise NotFound(INVALID_CODE)
    if users.find_user_by_id(db, consumed["userId"]) is None:  # the user was deleted after the code was issued
        raise NotFound(INVALID_CODE)
    key, key_document = apikeys.insert_api_key(
        db, scope="ingest", label="extension", user_id=consumed["userId"], device_id=None, now=now
    )
    if device_id is not None:
        apikeys.bind_device_by_id(db, key_document["_id"], device_id=device_id, now=now)
    salt, sealed = linkcodes.seal_key(key, code)
    db[COLLECTION].update_one(
        {"_id": consumed["_id"]},
        {"$set": {"keyId": key_document["_id"], "pickupKey": sealed, "pickupSalt": salt}},
    )
    user = users.mark_extension_linked_by_id(db, consumed["userId"], now=now)
    return Link(user=user, key=key)


def pickup_key(db: Database[Any], *, device_id: str, code: str, client: str, now: datetime) -> str:
    """The key the link with ``code`` issued, once, within the code's lifetime; binds ``device_id`` to it."""
    _refuse_locked_client(db, client, now=now)
    _delete_expired(db, now)
    query = {
        "codeHash": linkcodes.hash_link_code(code),
        "usedAt": {"$ne": None},
        "expiresAt": {"$gt": now},
        "pickupKey": {"$exists": True},
    }
    pending = db[COLLECTION].find_one(query)
    key_document = apikeys.find_key_by_id(db, str(pending["keyId"])) if pending else None
    bound_elsewhere = key_document is not None and key_document["deviceId"] not in (None, device_id)
    taken = None
    if key_document is not None and not bound_elsewhere:
        # Only one caller removes the sealed key; the document returned is the one from before.
        taken = db[COLLECTION].find_one_and_update(query, {"$unset": {"pickupKey": "", "pickupSalt": ""}})
    if taken is None:
        _count_failure(db, client, now=now)
        raise NotFound(INVALID_CODE)
    apikeys.bind_device_by_id(db, taken["keyId"], device_id=device_id, now=now)
    return linkcodes.unseal_key(taken["pickupKey"], code, taken["pickupSalt"])
