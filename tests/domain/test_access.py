"""Who may do what: scopes, acting for a user, key hashing."""

from __future__ import annotations

import hashlib

from tracking.domain.access import ANONYMOUS, KEY_PREFIX, Caller, display_prefix, hash_api_key, new_api_key

INGEST_A = Caller(scope="ingest", user_id="111", key_id="k1")
SERVICE = Caller(scope="service", key_id="k2")
ADMIN = Caller(scope="admin", key_id="k3")


def test_scopes_nest_admin_over_service_over_ingest() -> None:
    assert [INGEST_A.has_scope(s) for s in ("ingest", "service", "admin")] == [True, False, False]
    assert [SERVICE.has_scope(s) for s in ("ingest", "service", "admin")] == [True, True, False]
    assert [ADMIN.has_scope(s) for s in ("ingest", "service", "admin")] == [True, True, True]
    assert [ANONYMOUS.has_scope(s) for s in ("ingest", "service", "admin")] == [False, False, False]


def test_an_ingest_key_acts_only_for_its_user() -> None:
    assert INGEST_A.acts_for("111") is True
    assert INGEST_A.acts_for("222") is False
    assert Caller(scope="ingest", user_id=None).acts_for("") is False
    assert SERVICE.acts_for("222") is True and ADMIN.acts_for("222") is True
    assert ANONYMOUS.acts_for("111") is False


def test_keys_are_random_long_and_hashed_with_sha256() -> None:
    key = new_api_key()
    assert key.startswith(KEY_PREFIX) and len(key) >= len(KEY_PREFIX) + 43
    assert key != new_api_key()
    assert hash_api_key(key) == hashlib.sha256(key.encode()).hexdigest()
    assert display_prefix(key) == key[:10]


def test_a_website_session_acts_only_for_its_user_and_is_no_service() -> None:
    session = Caller(scope="ingest", user_id="111", key_id="s1", credential="session")
    assert session.is_session and not INGEST_A.is_session
    assert (session.acts_for("111"), session.acts_for("222"), session.is_service) == (True, False, False)
    assert [session.has_scope(s) for s in ("ingest", "service", "admin")] == [True, False, False]
