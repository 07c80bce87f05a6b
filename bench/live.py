"""Benchmark: round trips and milliseconds of a heartbeat and of the live reads, by users on the board and coding now.

Each size seeds that many users with a day-board entry (written in bulk through the repositories, as
bench/leaderboard.py does) and lets a tenth of them (at most 500) send a heartbeat; then one more heartbeat
and each live read (``GET /api/live``, ``?board=day``) are timed with pymongo command monitoring
(bench/ingest.py's ``Counter``). Times are labelled with the server they ran on.

    .venv/bin/python -m bench.live [--sizes 1000,10000]

Uses MONGODB_URI when set, otherwise starts the development database in a temporary folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import MongoClient
from pymongo.database import Database

from bench.ingest import Counter
from bench.servers import run_sizes, server_label
from tracking.domain.credit import board_name
from tracking.domain.periods import period_at
from tracking.domain.presence import Heartbeat
from tracking.services import presence
from tracking.store import boards, users
from tracking.store.client import ensure_indexes

ZONE = ZoneInfo("UTC")
TTL = timedelta(seconds=120)
NOW = datetime.now(UTC).replace(microsecond=0)
MAX_LIVE = 500
SAID = Heartbeat(language="python", editor="vscode")


def user_id(index: int) -> str:
    return f"{100000000000000000 + index}"


def populate(db: Database[Any], size: int) -> int:
    """``size`` users on today's day board, and a tenth of them (at most MAX_LIVE) coding now; how many code."""
    ensure_indexes(db)
    users.insert_new_users(db, names={user_id(index): f"user{index}" for index in range(size)}, now=NOW)
    day = period_at("day", NOW, ZONE)
    totals = {user_id(index): float(60 + index % 7200) for index in range(size)}
    boards.set_totals_by_users(db, board=board_name("day"), key=day.key, totals=totals, now=NOW)
    live = min(size // 10, MAX_LIVE)
    for index in range(live):
        heartbeat(db, index)
    return live


def heartbeat(db: Database[Any], index: int) -> None:
    presence.record_heartbeat(db, user_id=user_id(index), at=None, said=SAID, now=NOW, ttl=TTL, min_gap=timedelta(0))


def measured(db: Database[Any], size: int) -> dict[str, Callable[[], Any]]:
    return {
        "POST /api/heartbeat": lambda: heartbeat(db, size - 1),
        "GET /api/live": lambda: presence.read_live(db, board=None, limit=50, now=NOW, zone=ZONE, ttl=TTL),
        "GET /api/live?board=day": lambda: presence.read_live(db, board="day", limit=50, now=NOW, zone=ZONE, ttl=TTL),
    }


def run(uri: str, sizes: list[int]) -> None:
    counter = Counter()
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True, event_listeners=[counter])
    print(f"server: {server_label(uri)}")
    print(f"{'users':>8} {'coding now':>10} {'route':<26} {'round trips':>11} {'ms':>10}")
    for size in sizes:
        name = f"bench_live_{size}"
        client.drop_database(name)
        db = client[name]
        live = populate(db, size)
        for route, call in measured(db, size).items():
            counter.reset()
            began = time.perf_counter()
            call()
            print(
                f"{size:>8} {live:>10} {route:<26} {counter.commands:>11} {(time.perf_counter() - began) * 1000:>10.1f}"
            )
        client.drop_database(name)
    client.close()


def main() -> None:
    run_sizes(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
