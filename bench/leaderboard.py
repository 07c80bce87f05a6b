"""Benchmark: what a leaderboard read costs as the board grows, against the replaced server's way.

For boards of 1,000, 10,000 and 100,000 users it counts the round trips (commands sent) and the
documents returned by a top-50 read, a read with ``userId`` deep in the board, and a snapshot; then
the replaced server's read (one sessions query per user, distrack-contract section 3.2) for the
ratio. Counts come from pymongo's command monitoring, so they are the same on any server; times are
labelled with the server they ran on (FerretDB/SQLite scans every query, so its times are not
MongoDB's).

    .venv/bin/python -m bench.leaderboard [--sizes 1000,10000,100000] [--old-way-sample 200]

Uses MONGODB_URI when set, otherwise starts the development database in a temporary folder.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import MongoClient, monitoring
from pymongo.database import Database

from bench.servers import bench_database, server_label
from tracking.config import Settings
from tracking.domain.credit import board_name
from tracking.domain.periods import period_at
from tracking.domain.sessions import build_session
from tracking.models import SessionCreate
from tracking.services import leaderboards, snapshots
from tracking.store import boards, sessions, users
from tracking.store.client import ensure_indexes

# The boards are built and read in UTC whatever the environment says.
SETTINGS = Settings({"BOARD_TIMEZONE": "UTC"})
ZONE = SETTINGS.board_timezone
NOW = datetime.now(UTC)
# Users written per batch while the board is built.
BATCH = 10_000


class Counter(monitoring.CommandListener):
    """Counts the commands sent and the documents that come back."""

    def __init__(self) -> None:
        self.commands = 0
        self.documents = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in ("endSessions", "hello", "isMaster", "ping"):
            self.commands += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        cursor = event.reply.get("cursor") if isinstance(event.reply, dict) else None
        if cursor:
            self.documents += len(cursor.get("firstBatch", cursor.get("nextBatch", [])))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@dataclass
class Measure:
    commands: int
    documents: int
    milliseconds: float


def measure(counter: Counter, action: Callable[[], Any]) -> Measure:
    counter.commands = counter.documents = 0
    started = time.perf_counter()
    action()
    return Measure(counter.commands, counter.documents, (time.perf_counter() - started) * 1000)


def populate(db: Database[Any], size: int) -> None:
    """``size`` users, each with one session today and its day-board entry, written through the repositories.

    Ingest (tracking.services.ingest) would build the same day board; it is not used here because the
    development database scans on every query, which makes ingesting 100,000 users one by one take days.
    """
    ensure_indexes(db)
    day = period_at("day", NOW, ZONE)
    rng = random.Random(size)
    for first in range(0, size, BATCH):
        names: dict[str, str] = {}
        totals: dict[str, float] = {}
        batch = []
        for index in range(first, min(first + BATCH, size)):
            user_id = f"{100000000000000000 + index}"
            seconds = float(rng.randint(60, 36_000))
            body = SessionCreate(
                userId=user_id,
                username=f"user{index}",
                sessionId=user_id,
                startTime=max(day.start, NOW - timedelta(seconds=seconds)),
                endTime=NOW,
            )
            session = build_session(body, now=NOW, max_age_days=SETTINGS.max_session_age_days)
            names[user_id] = f"user{index}"
            totals[user_id] = session.duration
            batch.append(session)
        users.insert_new_users(db, names=names, now=NOW)
        for session in batch:
            sessions.insert_sessions(db, [session], username=names[session.user_id], now=NOW)
        boards.set_totals_by_users(db, board=board_name("day"), key=day.key, totals=totals, now=NOW)


def replaced_server_read(db: Database[Any], users: list[dict[str, Any]]) -> None:
    """The replaced server: every user, then one sessions query per user, then sort in memory."""
    day = period_at("day", NOW, ZONE)
    totals = []
    for user in users:
        found = db["codingsessions"].find({"userId": user["userId"], "startTime": {"$gte": day.start, "$lt": day.end}})
        totals.append((sum(s["duration"] for s in found), user["userId"]))
    totals.sort(reverse=True)


def bench_size(client: MongoClient[dict[str, Any]], counter: Counter, size: int, sample: int) -> None:
    name = f"bench_leaderboard_{size}"
    client.drop_database(name)
    db = client[name]
    populate(db, size)
    deep_user = f"{100000000000000000 + int(size * 0.9)}"

    def read_day(user_id: str | None) -> leaderboards.BoardView:
        return leaderboards.read_board(
            db, timeframe="day", language=None, limit=50, page=1, cursor=None, user_id=user_id, now=NOW, zone=ZONE
        )

    rows = {
        "top 50": measure(counter, lambda: read_day(None)),
        "top 50 + userId deep": measure(counter, lambda: read_day(deep_user)),
        "snapshot": measure(counter, lambda: snapshots.take_snapshot(db, timeframe="day", now=NOW, zone=ZONE)),
    }
    everyone: list[dict[str, Any]] = []
    listing = measure(counter, lambda: everyone.extend(db["users"].find({}, {"userId": 1})))
    measured = everyone[: min(size, sample)]
    per_user = measure(counter, lambda: replaced_server_read(db, measured))
    scale = size / len(measured)
    rows["replaced server (1/user)"] = Measure(
        listing.commands + round(per_user.commands * scale),
        listing.documents + round(per_user.documents * scale),
        listing.milliseconds + per_user.milliseconds * scale,
    )
    for read, figures in rows.items():
        print(f"{size:>8} {read:<28} {figures.commands:>11} {figures.documents:>10} {figures.milliseconds:>12.1f}")
    ratio = rows["replaced server (1/user)"].commands / rows["top 50"].commands
    note = "" if scale == 1 else f" (replaced server: {len(measured)} users queried, scaled to {size})"
    print(f"{size:>8} {'round trips, replaced / ours':<28} {ratio:>10.0f}x{note}")
    client.drop_database(name)


def run(uri: str, sizes: list[int], sample: int) -> None:
    counter = Counter()
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True, event_listeners=[counter])
    print(f"server: {server_label(uri)}")
    print(f"{'users':>8} {'read':<28} {'round trips':>11} {'documents':>10} {'ms':>12}")
    for size in sizes:
        bench_size(client, counter, size, sample)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--old-way-sample", type=int, default=1000, help="users queried the replaced way past this size (extrapolated)"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with bench_database() as (uri, _):
        run(uri, sizes, args.old_way_sample)


if __name__ == "__main__":
    main()
