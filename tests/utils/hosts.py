"""The local host for tests: a subprocess on a free port with both bootstrap keys (tracking.host.process)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from tracking.host import process
from tracking.host.process import RunningHost

# Every test host gets both bootstrap keys, as ADMIN_API_KEY and SERVICE_API_KEY.
ADMIN_KEY = "admin-bootstrap-key-for-tests-0123456789abcdef"
SERVICE_KEY = "service-bootstrap-key-for-tests-0123456789abcd"
# The client every test request comes from unless a test names another.
TEST_CLIENT = "203.0.113.7"

__all__ = ["ADMIN_KEY", "SERVICE_KEY", "RunningHost", "database_name", "host_on_its_own_database", "start_host"]


def start_host(
    *, mongodb_uri: str, database: str, log_dir: Path, extra_env: dict[str, str] | None = None, timers: bool = False
) -> RunningHost:
    # The tests stand as one more proxy in front of the host (which appends 127.0.0.1 as a front end does):
    # each request names its client, a test may name another, and the app trusts both entries.
    keys = {"ADMIN_API_KEY": ADMIN_KEY, "SERVICE_API_KEY": SERVICE_KEY, "TRUSTED_PROXY_HOPS": "2"}
    host = process.start_host(
        mongodb_uri=mongodb_uri,
        database=database,
        log_dir=log_dir,
        extra_env={**keys, **(extra_env or {})},
        timers=timers,
    )
    host.session.headers["X-Forwarded-For"] = TEST_CLIENT
    return host


def database_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@contextmanager
def host_on_its_own_database(
    *,
    mongodb_uri: str,
    mongo: MongoClient[dict[str, Any]],
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
    timers: bool = False,
) -> Iterator[RunningHost]:
    """A local host on a database of its own, stopped and its database dropped afterwards."""
    name = database_name()
    host = start_host(mongodb_uri=mongodb_uri, database=name, log_dir=log_dir, extra_env=extra_env, timers=timers)
    try:
        yield host
    finally:
        host.stop()
        mongo.drop_database(name)
