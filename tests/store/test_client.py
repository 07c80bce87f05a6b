from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from pymongo.errors import PyMongoError

from tracking.host.devdb import ROOT, DevDatabase, free_port
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
    monkeypatch.setenv("MONGODB_URI", f"mongodb://127.0.0.1:{free_port()}/")
    monkeypatch.setenv("MONGODB_TIMEOUT_MS", "300")
    client.close_client()
    try:
        with pytest.raises(Exception) as raised:
            client.ping(timeout_seconds=0.5)
        assert client.is_unavailable(raised.value)
    finally:
        client.close_client()


def test_a_server_that_stops_answering_fails_the_operation_after_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a socket timeout an operation on a frozen server waits until the driver's monitor notices."""
    server = DevDatabase(tmp_path, free_port()).start()
    monkeypatch.setenv("MONGODB_URI", server.uri)
    monkeypatch.setenv("MONGODB_TIMEOUT_MS", "500")
    client.close_client()
    try:
        client.get_db()["probe"].insert_one({"key": 1})  # a pooled connection the next operation will use
        assert server.process is not None
        server.process.send_signal(signal.SIGSTOP)
        with pytest.raises(PyMongoError) as raised:
            client.get_db()["probe"].find_one({"key": 1})
        assert raised.value.timeout
        assert client.is_unavailable(raised.value)
    finally:
        if server.process is not None:
            server.process.send_signal(signal.SIGCONT)
        client.close_client()
        server.stop()


def test_a_job_may_wait_longer_than_a_request_and_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request gives up after MONGODB_TIMEOUT_MS, unretried; a timer's or activity's operation waits
    MONGODB_JOB_TIMEOUT_MS for its answer (a cleanup's delete over a large collection) and is retried once."""
    monkeypatch.setenv("MONGODB_URI", "mongodb://127.0.0.1:1/")  # never connected to: clients connect on first use
    monkeypatch.setenv("MONGODB_TIMEOUT_MS", "500")
    monkeypatch.setenv("MONGODB_JOB_TIMEOUT_MS", "30000")
    client.close_client()
    try:
        request, job = client.get_client().options, client.get_job_client().options
        assert (request.pool_options.socket_timeout, request.retry_reads, request.retry_writes) == (0.5, False, False)
        assert (job.pool_options.socket_timeout, job.retry_reads, job.retry_writes) == (30.0, True, True)
        assert job.server_selection_timeout == request.server_selection_timeout == 0.5
    finally:
        client.close_client()


def test_timers_and_durable_activities_use_the_job_client() -> None:
    jobs = sorted((ROOT / "tracking" / "jobs").glob("*.py"))
    assert jobs
    assert [path.name for path in jobs if "get_db(" in path.read_text()] == []
