"""What the benchmarks run against: a database (MONGODB_URI, or the development database) and the local host."""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from tracking.host.devdb import DevDatabase, free_port
from tracking.host.process import RunningHost, start_host

# The local host's bootstrap keys in every benchmark.
ADMIN_KEY = "bench-admin-key-0123456789abcdefghijklmnopq"
SERVICE_KEY = "bench-service-key-0123456789abcdefghijklmnop"


def server_label(uri: str) -> str:
    probe: MongoClient[dict[str, Any]]
    with MongoClient(uri) as probe:
        info = probe.admin.command("buildInfo")
    if "ferretdbVersion" in info:
        return f"FerretDB {info['ferretdbVersion']} (SQLite), MongoDB wire version {info.get('version')}"
    return f"MongoDB {info.get('version')}"


@contextmanager
def bench_database() -> Iterator[tuple[str, DevDatabase | None]]:
    """MONGODB_URI when set, otherwise a development database in a temporary folder, stopped at the end.

    Yields the URI and the development database (None for MONGODB_URI), which a benchmark may stop and start.
    """
    configured = os.environ.get("MONGODB_URI", "").strip()
    if configured:
        yield configured, None
        return
    with tempfile.TemporaryDirectory() as folder:
        server = DevDatabase(Path(folder), free_port()).start()
        try:
            yield server.uri, server
        finally:
            server.stop()


def run_sizes(description: str, run: Callable[[str, list[int]], None]) -> None:
    """The command line of a benchmark over database sizes: ``--sizes 1000,10000``, then ``run(uri, sizes)``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", default="1000,10000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    with bench_database() as (uri, _):
        run(uri, sizes)


@contextmanager
def bench_host(uri: str, *, prefix: str, extra_env: dict[str, str] | None = None) -> Iterator[RunningHost]:
    """The local host (no timers) with both bootstrap keys, on a database of its own that is dropped at the end."""
    database = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as logs:
        host = start_host(
            mongodb_uri=uri,
            database=database,
            log_dir=Path(logs),
            extra_env={"ADMIN_API_KEY": ADMIN_KEY, "SERVICE_API_KEY": SERVICE_KEY, **(extra_env or {})},
        )
        try:
            yield host
        finally:
            host.stop()
            host.db.client.drop_database(database)
            host.db.client.close()
