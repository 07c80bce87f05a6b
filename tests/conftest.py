"""Shared fixtures: the development database, a database per test or module, the local host over HTTP.

Everything runs against a real MongoDB-compatible server: MONGODB_URI when it is set (CI sets a
real MongoDB), otherwise a FerretDB development database started for the test session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from tests.utils import fuzzing
from tests.utils.fake_discord import FakeDiscord, discord_env, running_fake_discord
from tests.utils.hosts import RunningHost, database_name, host_on_its_own_database
from tracking.host.devdb import DevDatabase, free_port
from tracking.store import client as store_client


@pytest.fixture(scope="session")
def mongodb_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("MONGODB_URI", "").strip()
    if configured:
        yield configured
        return
    server = DevDatabase(tmp_path_factory.mktemp("devdb"), free_port()).start()
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mongo(mongodb_uri: str) -> Iterator[MongoClient[dict[str, Any]]]:
    with MongoClient(mongodb_uri, tz_aware=True) as client:
        yield client


# In-process tests have no local.settings file: the link flow's key comes from here.
TEST_LINK_SECRET = "link-secret-for-tests-0123456789abcdefgh"


@pytest.fixture
def db(
    mongodb_uri: str, mongo: MongoClient[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database[dict[str, Any]]]:
    """A fresh database of its own, set as the app's database for code called in-process."""
    name = database_name()
    monkeypatch.setenv("LINK_SECRET", TEST_LINK_SECRET)
    monkeypatch.setenv("MONGODB_URI", mongodb_uri)
    monkeypatch.setenv("MONGODB_DB", name)
    store_client.close_client()
    yield store_client.get_db()
    store_client.close_client()
    mongo.drop_database(name)


@pytest.fixture(scope="module")
def module_host(
    mongodb_uri: str, mongo: MongoClient[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHost]:
    """One local host per test module, on a database of its own."""
    with host_on_its_own_database(
        mongodb_uri=mongodb_uri, mongo=mongo, log_dir=tmp_path_factory.mktemp("host")
    ) as host:
        yield host


@pytest.fixture(scope="module")
def fake_discord() -> Iterator[FakeDiscord]:
    """A fake Discord (OAuth2 token, /users/@me, CDN avatars) on 127.0.0.1, one per test module."""
    with running_fake_discord() as fake:
        yield fake


@pytest.fixture(scope="module")
def discord_host(
    mongodb_uri: str,
    mongo: MongoClient[dict[str, Any]],
    fake_discord: FakeDiscord,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningHost]:
    """A local host that signs in with ``fake_discord`` and fetches avatars from it, on a database of its own."""
    with host_on_its_own_database(
        mongodb_uri=mongodb_uri,
        mongo=mongo,
        log_dir=tmp_path_factory.mktemp("host"),
        extra_env=discord_env(fake_discord),
    ) as host:
        yield host


@pytest.fixture
def api(module_host: RunningHost) -> RunningHost:
    """The module's local host, with an empty database for this test."""
    module_host.clear_database()
    return module_host


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in fuzzing.summary():
        terminalreporter.write_line(line)
