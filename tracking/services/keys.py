"""API keys: issue one (shown once), list them (never the key), revoke one; and a user's own editor keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.domain.access import KeyFormat, Scope, new_key
from tracking.errors import NotFound, UserNotFound
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
    key_format: KeyFormat = "distrack",
) -> IssuedKey:
    """A new random key; a key for a user needs that user to exist.

    A ``wakatime`` key (``waka_<uuid4>``) is an editor key: an ingest key that only the WakaTime routes accept.
    """
    if user_id is not None and users.find_user_by_id(db, user_id) is None:
        raise UserNotFound()
    key = new_key(key_format)
    record = apikeys.insert_key(
        db, key=key, scope=scope, label=label, user_id=user_id, device_id=device_id, now=now, key_format=key_format
    )
    return IssuedKey(key=key, record=record)


def issue_editor_key(db: Database[Any], *, user_id: str, label: str, now: datetime) -> IssuedKey:
    return issue_api_key(
        db, scope="ingest", label=label, user_id=user_id, device_id=None, now=now, key_format="wakatime"
    )


def list_editor_keys(db: Database[Any], *, user_id: str) -> list[ApiKey]:
    """The user's active editor keys, newest first."""
    return apikeys.find_keys(db, user_id=user_id, scope="ingest", include_revoked=False, key_format="wakatime")


def revoke_editor_key(db: Database[Any], *, user_id: str, key_id: str, now: datetime) -> ApiKey:
    """Revoke one of the user's editor keys; any other key, or another user's, is not found."""
    record = apikeys.find_key_by_id(db, key_id)
    if record is None or record.user_id != user_id or record.key_format != "wakatime":
        raise NotFound("Editor key not found")
    return revoke_api_key(db, key_id=key_id, now=now)


def list_api_keys(
    db: Database[Any], *, user_id: str | None, scope: Scope | None, include_revoked: bool
) -> list[ApiKey]:
    return apikeys.find_keys(db, user_id=user_id, scope=scope, include_revoked=include_revoked)


def revoke_api_key(db: Database[Any], *, key_id: str, now: datetime) -> ApiKey:
    revoked = apikeys.revoke_key_by_id(db, key_id, now=now)
    if revoked is None:
        raise NotFound("API key not found")
    return revoked
