"""The apikeys repository: keys stored by hash, listed without it, revoked once, bound to a device."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.domain.access import Caller, hash_api_key
from tracking.store import apikeys

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
USER = "111111111111111111"


def _insert(db: Database[dict[str, Any]], key: str, *, device_id: str | None = None, at: datetime = NOW) -> str:
    return apikeys.insert_key(db, key=key, scope="ingest", label="laptop", user_id=USER, device_id=device_id, now=at).id


def test_a_key_is_stored_by_its_hash_only(db: Database[dict[str, Any]]) -> None:
    record = apikeys.insert_key(
        db, key="dtk_secret-one", scope="service", label="bot", user_id=None, device_id=None, now=NOW
    )
    stored = db.apikeys.find_one({})
    assert stored is not None and "dtk_secret-one" not in repr(stored)
    assert stored["keyHash"] == hash_api_key("dtk_secret-one")
    assert record == apikeys.ApiKey(
        id=str(stored["_id"]),
        prefix="dtk_secret",
        label="bot",
        scope="service",
        key_format="distrack",
        user_id=None,
        device_id=None,
        created_at=NOW,
        last_used_at=None,
        revoked_at=None,
    )


def test_the_caller_of_a_hash_and_last_use_written_at_most_once_a_minute(db: Database[dict[str, Any]]) -> None:
    key_id = _insert(db, "dtk_key")
    caller = apikeys.find_caller_by_hash(db, hash_api_key("dtk_key"), now=NOW)
    assert caller == Caller(scope="ingest", user_id=USER, key_id=key_id)
    apikeys.find_caller_by_hash(db, hash_api_key("dtk_key"), now=NOW + timedelta(seconds=30))
    assert apikeys.find_key_by_id(db, key_id).last_used_at == NOW  # type: ignore[union-attr]
    assert apikeys.find_caller_by_hash(db, hash_api_key("unknown"), now=NOW) is None


def test_keys_are_listed_newest_first_and_revoked_once(db: Database[dict[str, Any]]) -> None:
    older = _insert(db, "dtk_one")
    newer = _insert(db, "dtk_two", at=NOW + timedelta(minutes=1))
    assert [k.id for k in apikeys.find_keys(db, user_id=USER, scope=None, include_revoked=False)] == [newer, older]
    assert apikeys.revoke_key_by_id(db, older, now=NOW).revoked_at == NOW  # type: ignore[union-attr]
    assert apikeys.revoke_key_by_id(db, older, now=NOW + timedelta(hours=1)).revoked_at == NOW  # type: ignore[union-attr]
    assert [k.id for k in apikeys.find_keys(db, user_id=USER, scope="ingest", include_revoked=False)] == [newer]
    assert apikeys.find_caller_by_hash(db, hash_api_key("dtk_one"), now=NOW) is None
    assert apikeys.revoke_key_by_id(db, "not-an-id", now=NOW) is None
    assert apikeys.find_key_by_id(db, "0" * 24) is None


def test_binding_a_device_revokes_the_older_keys_of_that_device(db: Database[dict[str, Any]]) -> None:
    old = _insert(db, "dtk_old", device_id="dvc-1")
    other = _insert(db, "dtk_other", device_id="dvc-2")
    new = _insert(db, "dtk_new")
    apikeys.bind_device_by_id(db, new, device_id="dvc-1", now=NOW)
    assert apikeys.find_key_by_id(db, new).device_id == "dvc-1"  # type: ignore[union-attr]
    assert apikeys.find_key_by_id(db, old).revoked_at == NOW  # type: ignore[union-attr]
    assert apikeys.find_key_by_id(db, other).revoked_at is None  # type: ignore[union-attr]
