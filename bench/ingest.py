"""Benchmark: what one session costs to ingest, for a short and a long history, and how fast ingest runs.

First it gives two users the same recent days, one with 10 days of history and one with 1,000 (one hour
a day), then records the same ``--probe`` new sessions for each and prints, side by side, the database
round trips and the bytes the server sent back per session (pymongo command monitoring: every command
but the driver's own handshakes, and the size of every reply). Both must be the same: what ingest reads
does not depend on how much history a user has. The same probe with webhook subscriptions watching ranks,
achievements and streaks shows what recording events adds. Then it records ``--sessions`` sessions for ``--users``
users and prints sessions per second, and posts ``--http-sessions`` more through the local host
(``python -m tracking.host``) with a service key. Times are labelled with the server they ran on:
FerretDB/SQLite scans every query, so its times are not MongoDB's.

    .venv/bin/python -m bench.ingest [--probe 20] [--users 1000] [--sessions 20000] [--http-sessions 2000]

Uses MONGODB_URI when set, otherwise starts the development database in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import bson
from pymongo import monitoring
from pymongo.database import Database

from bench.servers import SERVICE_KEY, bench_database, bench_host, server_label
from tracking import config
from tracking.domain.sessions import NewSession, build_session
from tracking.models import SessionCreate
from tracking.services.ingest import record_sessions
from tracking.services.webhooks import create_subscription
from tracking.store import client as store_client

LANGUAGES = ("python", "typescriptreact", "go", "java", "markdown", "rust", "shellscript")
HANDSHAKES = ("endSessions", "hello", "isMaster", "ismaster", "ping")


class Counter(monitoring.CommandListener):
    """Round trips and reply bytes of the commands the app sends."""

    def __init__(self) -> None:
        self.commands = 0
        self.reply_bytes = 0

    def reset(self) -> None:
        self.commands = self.reply_bytes = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in HANDSHAKES:
            self.commands += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if event.command_name not in HANDSHAKES:
            self.reply_bytes += len(bson.encode(event.reply))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@dataclass(frozen=True)
class Cost:
    round_trips: list[int]
    reply_bytes: list[int]


def open_database(uri: str, prefix: str) -> Database[Any]:
    os.environ.update({"MONGODB_URI": uri, "MONGODB_DB": f"{prefix}_{uuid.uuid4().hex[:8]}"})
    store_client.close_client()
    return store_client.get_db()


def an_hour_on(user_id: str, day_start: datetime, index: int) -> NewSession:
    start = day_start + timedelta(hours=10)
    return NewSession(f"h{index}", user_id, "bench", start, start + timedelta(hours=1), {"python": 3600}, None, None)


def history_cost(db: Database[Any], counter: Counter, *, user_id: str, days: int, probe: int, now: datetime) -> Cost:
    """Give ``user_id`` an hour a day for ``days`` days (each recorded as it happened), then measure ``probe`` more."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for back in range(days, 1, -1):
        day = today - timedelta(days=back)
        record_sessions(
            db, batch=[an_hour_on(user_id, day, back)], now=day + timedelta(hours=12), settings=config.settings()
        )
    cost = Cost([], [])
    for index in range(probe):
        start = now - timedelta(hours=6) + timedelta(minutes=10 * index)
        session = NewSession(
            f"p{index}", user_id, "bench", start, start + timedelta(minutes=5), {"go": 300}, None, None
        )
        counter.reset()
        record_sessions(db, batch=[session], now=now, settings=config.settings())
        cost.round_trips.append(counter.commands)
        cost.reply_bytes.append(counter.reply_bytes)
    return cost


def compare_histories(uri: str, counter: Counter, probe: int) -> None:
    db = open_database(uri, "bench_history")
    now = datetime.now(UTC).replace(microsecond=0)
    short = history_cost(db, counter, user_id="100000000000000010", days=10, probe=probe, now=now)
    long = history_cost(db, counter, user_id="100000000000001000", days=1000, probe=probe, now=now)
    print(f"one session for a user with 10 and with 1,000 days of history ({probe} sessions each):")
    print(f"  {'':28} {'10 days':>10} {'1,000 days':>12}")
    for label, pick in (("round trips, mean", "round_trips"), ("bytes read, mean", "reply_bytes")):
        values = [statistics.mean(getattr(cost, pick)) for cost in (short, long)]
        print(f"  {label:28} {values[0]:>10.1f} {values[1]:>12.1f}")
    for label, pick in (("round trips, max", "round_trips"), ("bytes read, max", "reply_bytes")):
        values = [max(getattr(cost, pick)) for cost in (short, long)]
        print(f"  {label:28} {values[0]:>10} {values[1]:>12}")
    store_client.get_client().drop_database(db.name)
    store_client.close_client()


def with_webhooks(uri: str, counter: Counter, probe: int) -> None:
    """The same probe with subscriptions watching everything crediting can make happen: what events cost."""
    db = open_database(uri, "bench_webhooks")
    os.environ["WEBHOOK_ALLOW_INSECURE_LOOPBACK"] = "true"  # the subscription's receiver is never called here
    os.environ.setdefault("LINK_SECRET", "bench-link-secret-0123456789abcdefghij")  # seals its signing secret
    create_subscription(
        db,
        url="http://127.0.0.1:9/hook",
        events=["rank.changed", "achievement.earned", "streak.milestone"],
        format="standard",
        board="allTime",
        top=10,
        schedule=None,
        timezone="UTC",
        description=None,
        now=datetime.now(UTC),
        settings=config.settings(),
    )
    now = datetime.now(UTC).replace(microsecond=0)
    for rank in range(20):  # a board of 20 users above the one who climbs
        user_id = str(100_000_000_000_000_100 + rank)
        start = now - timedelta(hours=20)
        session = NewSession(f"r{rank}", user_id, "bench", start, start + timedelta(minutes=20 + rank), {}, None, None)
        record_sessions(db, batch=[session], now=now, settings=config.settings())
    trips: list[int] = []
    for index in range(probe):
        start = now - timedelta(hours=6) + timedelta(minutes=10 * index)
        session = NewSession(
            f"w{index}", "100000000000000099", "bench", start, start + timedelta(minutes=5), {}, None, None
        )
        counter.reset()
        record_sessions(db, batch=[session], now=now, settings=config.settings())
        trips.append(counter.commands)
    events = db["webhookevents"].count_documents({})
    print(f"with webhook subscriptions (rank.changed on all time, top 10; achievements; streaks), {probe} sessions:")
    print(f"  round trips, mean {statistics.mean(trips):.2f}, max {max(trips)}; {events} events recorded")
    store_client.get_client().drop_database(db.name)
    store_client.close_client()


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


def in_process(uri: str, counter: Counter, users: int, count: int) -> None:
    db = open_database(uri, "bench_ingest")
    now = datetime.now(UTC)
    sessions = [
        build_session(SessionCreate.model_validate(body), now=now, max_age_days=30)
        for body in bodies(users, count, now, seed=1)
    ]
    trips: list[int] = []
    started = time.perf_counter()
    for session in sessions:
        counter.reset()
        record_sessions(db, batch=[session], now=now, settings=config.settings())
        trips.append(counter.commands)
    elapsed = time.perf_counter() - started
    tenth = max(1, count // 10)
    print(f"in-process: {count} sessions for {users} users in {elapsed:.1f} s = {count / elapsed:.1f} sessions/s")
    for label, part in (("first tenth", trips[:tenth]), ("last tenth", trips[-tenth:])):
        print(f"  round trips per session, {label}: mean {statistics.mean(part):.2f}, min {min(part)}, max {max(part)}")
    counter.reset()
    record_sessions(db, batch=[sessions[0]], now=now, settings=config.settings())
    print(f"  round trips for a replayed (duplicate) session: {counter.commands}")
    store_client.get_client().drop_database(db.name)
    store_client.close_client()


def over_http(uri: str, users: int, count: int) -> None:
    with bench_host(uri, prefix="bench_ingest_http") as host:
        payloads = bodies(users, count, datetime.now(UTC), seed=2)
        headers = {"Authorization": f"Bearer {SERVICE_KEY}"}
        started = time.perf_counter()
        statuses = [host.post("coding-session", json=body, headers=headers).status_code for body in payloads]
        elapsed = time.perf_counter() - started
    failed = sum(status != 200 for status in statuses)
    print(
        f"over HTTP (local host, one request at a time): {count} sessions in {elapsed:.1f} s = "
        f"{count / elapsed:.1f} sessions/s, {failed} not 200"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", type=int, default=20)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--http-sessions", type=int, default=2000)
    args = parser.parse_args()

    counter = Counter()
    monitoring.register(counter)
    with bench_database() as (uri, _):
        print(f"server: {server_label(uri)}")
        compare_histories(uri, counter, args.probe)
        with_webhooks(uri, counter, args.probe)
        if args.sessions:
            in_process(uri, counter, args.users, args.sessions)
        if args.http_sessions:
            over_http(uri, args.users, args.http_sessions)


if __name__ == "__main__":
    main()
