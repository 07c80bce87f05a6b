"""Small factories for tests: users and API keys written into a test database through the real repositories.

Keys live in the database (only their hash), so they work with any host on that database, e.g.
``create_api_key(api.db, scope="service")`` with the ``api`` fixture; no bootstrap setting is needed.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from pymongo.database import Database

from tracking.domain.access import Scope, new_api_key, new_editor_key
from tracking.domain.profiles import User
from tracking.store.apikeys import insert_key
from tracking.store.users import ensure_user, find_user_by_id, set_fields_by_id

USER_A = "111111111111111111"
USER_B = "222222222222222222"


def create_user(db: Database[dict[str, Any]], user_id: str = USER_A, username: str = "ada", **fields: Any) -> User:
    """A user with every default, then ``fields`` (named as in the document) set on it, e.g. ``isPublic=False``."""
    ensure_user(db, user_id=user_id, username=username, now=datetime.now(UTC))
    if fields:
        set_fields_by_id(db, user_id, fields)
    user = find_user_by_id(db, user_id)
    assert user is not None
    return user


def create_api_key(
    db: Database[dict[str, Any]],
    *,
    scope: Scope,
    user_id: str | None = None,
    device_id: str | None = None,
    label: str = "test",
) -> str:
    """Issue a key of ``scope`` (``ingest`` needs ``user_id``) and return the key itself."""
    key = new_api_key()
    insert_key(db, key=key, scope=scope, label=label, user_id=user_id, device_id=device_id, now=datetime.now(UTC))
    return key


def store_ingest_keys(db: Database[dict[str, Any]], keys: dict[str, str]) -> None:
    """Store known ingest keys (``{userId: key}``), for tests that need fixed keys."""
    for user_id, key in keys.items():
        insert_key(db, key=key, scope="ingest", label="test", user_id=user_id, device_id=None, now=datetime.now(UTC))


def bearer(key: str) -> dict[str, str]:
    """Request headers sending ``key``."""
    return {"Authorization": f"Bearer {key}"}


def create_editor_key(db: Database[dict[str, Any]], user_id: str = USER_A, label: str = "vim") -> str:
    """An editor key (``waka_<uuid4>``) of ``user_id``, as ``POST /api/user/{userId}/editor-keys`` issues it."""
    key = new_editor_key()
    insert_key(
        db,
        key=key,
        scope="ingest",
        label=label,
        user_id=user_id,
        device_id=None,
        now=datetime.now(UTC),
        key_format="wakatime",
    )
    return key


def basic(key: str) -> dict[str, str]:
    """The header wakatime-cli sends: ``Authorization: Basic base64(<key>)``."""
    return {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}
