from __future__ import annotations

from typing import Any

import pytest
from pymongo.database import Database

from tracking.store import client


def test_the_client_is_built_lazily_and_once(db: Database[dict[str, Any]]) -> None:
    assert client.get_client() is client.get_client()


def test_ping_measures_a_round_trip(db: Database[dict[str, Any]]) -> None:
    assert client.ping() >= 0


def test_index_creation_is_idempotent(db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    def probe_indexes(database: Database[dict[str, Any]]) -> None:
        database["probe"].create_index("key", unique=True, name="key_1")

    monkeypatch.setattr(client, "_index_installers", [probe_indexes])
    client.ensure_indexes(db)
    client.ensure_indexes(db)
    names = [index["name"] for index in db["probe"].list_indexes()]
    assert names.count("key_1") == 1


def test_an_unreachable_server_is_reported_as_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracking.host.devdb import free_port

    monkeypatch.setenv("MONGODB_URI", f"mongodb://127.0.0.1:{free_port()}/")
    monkeypatch.setenv("MONGODB_TIMEOUT_MS", "300")
    client.close_client()
    try:
        with pytest.raises(Exception) as raised:
            client.ping(timeout_seconds=0.5)
        assert client.is_unavailable(raised.value)
    finally:
        client.close_client()
