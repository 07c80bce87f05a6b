"""Benchmark: session ingest, in-process through the service function and over HTTP through the local host.

It records ``--sessions`` sessions for ``--users`` users (spread over the last 29 days, 5 to 120
minutes each, some overlapping) and prints sessions per second, and the database round trips per
session (pymongo command monitoring) for the first and the last tenth of the run: the budget is a
bounded number, independent of how many sessions the user or the database already holds. Then it
posts ``--http-sessions`` more through ``python -m tracking.host`` with a service key. Times are
labelled with the server they ran on: FerretDB/SQLite scans every query, so its times are not MongoDB's.

    .venv/bin/python -m bench.ingest [--users 1000] [--sessions 50000] [--http-sessions 2000]

Uses MONGODB_URI when set, otherwise starts the development database in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo import MongoClient, monitoring

from tests.utils.hosts import start_host
from tracking import config
from tracking.domain.sessions import NewSession, build_session
from tracking.host.devdb import DevDatabase, free_port
from tracking.models import SessionCreate
from tracking.services.ingest import record_sessions
from tracking.store import client as store_client

LANGUAGES = ("python", "typescriptreact", "go", "java", "markdown", "rust", "shellscript")
SERVICE_KEY = "bench-service-key-0123456789abcdefghijklmnop"


class Counter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in ("endSessions", "hello", "isMaster", "ping"):
            self.commands += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def bodies(users: int, count: int, now: datetime, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        duration = rng.uniform(300, 7200)
        end = now - timedelta(seconds=rng.uniform(600, 29 * 86400))
        language = rng.choice(LANGUAGES)
        result.append(
            {
                "userId": str(100_000_000_000_000_000 + rng.randrange(users)),
                "username": "EFU",
                "duration": duration,
                "sessionDate": end.isoformat(),
                "languages": {language: duration * 0.8, "plaintext": duration * 0.2},
            }
        )
    return result


def server_label(uri: str) -> str:
    probe: MongoClient[dict[str, Any]]
    with MongoClient(uri) as probe:
        info = probe.admin.command("buildInfo")
    if "ferretdbVersion" in info:
        return f"FerretDB {info['ferretdbVersion']} (SQLite), MongoDB wire version {info.get('version')}"
    return f"MongoDB {info.get('version')}"


def in_process(uri: str, users: int, count: int) -> None:
    counter = Counter()
    monitoring.register(counter)
    database = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    os.environ.update({"MONGODB_URI": uri, "MONGODB_DB": database})
    store_client.close_client()
    db = store_client.get_db()
    now = datetime.now(UTC)
    sessions: list[NewSession] = [
        build_session(SessionCreate.model_validate(body), now=now, max_age_days=30)
        for body in bodies(users, count, now, seed=1)
    ]
    trips: list[int] = []
    started = time.perf_counter()
    for session in sessions:
        counter.commands = 0
        record_sessions(db, batch=[session], now=now, settings=config.settings())
        trips.append(counter.commands)
    elapsed = time.perf_counter() - started
    tenth = max(1, count // 10)
    print(f"in-process: {count} sessions for {users} users in {elapsed:.1f} s = {count / elapsed:.1f} sessions/s")
    for label, part in (("first tenth", trips[:tenth]), ("last tenth", trips[-tenth:])):
        print(f"  round trips per session, {label}: mean {statistics.mean(part):.2f}, min {min(part)}, max {max(part)}")
    counter.commands = 0
    record_sessions(db, batch=[sessions[0]], now=now, settings=config.settings())
    print(f"  round trips for a replayed (duplicate) session: {counter.commands}")
    store_client.get_client().drop_database(database)
    store_client.close_client()


def over_http(uri: str, users: int, count: int) -> None:
    database = f"bench_ingest_http_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as logs:
        host = start_host(
            mongodb_uri=uri, database=database, log_dir=Path(logs), extra_env={"SERVICE_API_KEY": SERVICE_KEY}
        )
        try:
            payloads = bodies(users, count, datetime.now(UTC), seed=2)
            headers = {"Authorization": f"Bearer {SERVICE_KEY}"}
            started = time.perf_counter()
            statuses = [host.post("coding-session", json=body, headers=headers).status_code for body in payloads]
            elapsed = time.perf_counter() - started
        finally:
            host.stop()
            cleanup: MongoClient[dict[str, Any]]
            with MongoClient(uri) as cleanup:
                cleanup.drop_database(database)
    failed = sum(status != 200 for status in statuses)
    print(
        f"over HTTP (local host, one request at a time): {count} sessions in {elapsed:.1f} s = "
        f"{count / elapsed:.1f} sessions/s, {failed} not 200"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--http-sessions", type=int, default=2000)
    args = parser.parse_args()

    configured = os.environ.get("MONGODB_URI", "").strip()
    with tempfile.TemporaryDirectory() as folder:
        server = None if configured else DevDatabase(Path(folder), free_port()).start()
        uri = configured or server.uri  # type: ignore[union-attr]
        try:
            print(f"server: {server_label(uri)}")
            in_process(uri, args.users, args.sessions)
            if args.http_sessions:
                over_http(uri, args.users, args.http_sessions)
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
