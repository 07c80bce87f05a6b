"""API keys: issue one (shown once), list them (never the key), revoke one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.domain.access import Scope, new_api_key
from tracking.errors import NotFound
from tracking.store import apikeys, users
from tracking.store.apikeys import ApiKey


@dataclass(frozen=True)
class IssuedKey:
    """The one answer that carries a key itself, beside what may be listed of it."""

    key: str
    record: ApiKey


def issue_api_key(
    db: Database[Any],
    *,
    scope: Scope,
    label: str,
    user_id: str | None,
    device_id: str | None,
    now: datetime,
) -> IssuedKey:
    """A new random key; a key for a user needs that user to exist."""
    if user_id is not None and users.find_user_by_id(db, user_id) is None:
        raise NotFound("User not found")
    key = new_api_key()
    record = apikeys.insert_key(db, key=key, scope=scope, label=label, user_id=user_id, device_id=device_id, now=now)
    return IssuedKey(key=key, record=record)


def list_api_keys(
    db: Database[Any], *, user_id: str | None, scope: Scope | None, include_revoked: bool
) -> list[ApiKey]:
    return apikeys.find_keys(db, user_id=user_id, scope=scope, include_revoked=include_revoked)


def revoke_api_key(db: Database[Any], *, key_id: str, now: datetime) -> ApiKey:
    revoked = apikeys.revoke_key_by_id(db, key_id, now=now)
    if revoked is None:
        raise NotFound("API key not found")
    return revoked
