"""Benchmark: round trips and milliseconds of every stats route at 1,000 and 10,000 users with 30 days of history.

Each user gets one session a day for 30 days, in one of a few time zones; the sessions are stored and their
daily totals computed by the ingest rules (``tracking.domain.credit.day_total``) and written in bulk through
the repositories, as bench/leaderboard.py does: ingesting 300,000 sessions one by one on the development
database (every query a scan) would take hours. Each route's service is then called once with pymongo
command monitoring (bench/ingest.py's ``Counter``). Times are labelled with the server they ran on.

    .venv/bin/python -m bench.stats [--sizes 1000,10000]

Uses MONGODB_URI when set, otherwise starts the development database in a temporary folder.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import MongoClient
from pymongo.database import Database

from bench.ingest import Counter
from bench.servers import run_sizes, server_label
from tracking.domain.access import Caller
from tracking.domain.credit import DayTotal, day_total
from tracking.domain.sessions import NewSession
from tracking.services import analytics
from tracking.store import dailytotals, sessions, users
from tracking.store.client import ensure_indexes

BOARD_ZONE = ZoneInfo("UTC")
PRESENCE_TTL = timedelta(seconds=120)
USER_ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo")
NOW = datetime.now(UTC).replace(microsecond=0)
DAYS = 30
BATCH = 1000


def populate(db: Database[Any], size: int) -> None:
    """``size`` users, each with a session on each of the last 30 days and their daily totals."""
    ensure_indexes(db)
    rng = random.Random(size)
    today = NOW.replace(hour=0, minute=0, second=0)
    for first in range(0, size, BATCH):
        names = {f"{100000000000000000 + index}": f"user{index}" for index in range(first, min(first + BATCH, size))}
        users.insert_new_users(db, names=names, now=NOW)
        totals: list[tuple[str, DayTotal]] = []
        for user_id in names:
            zone = ZoneInfo(rng.choice(USER_ZONES))
            db["users"].update_one({"userId": user_id}, {"$set": {"timezone": str(zone)}})
            batch = []
            for back in range(DAYS):
                start = min(
                    today - timedelta(days=back) + timedelta(hours=rng.uniform(0, 22)), NOW - timedelta(hours=2)
                )
                end = start + timedelta(minutes=rng.uniform(10, 120))
                language = rng.choice(("python", "go", "typescript"))
                batch.append(
                    NewSession(
                        f"b{back}", user_id, None, start, end, {language: (end - start).total_seconds()}, None, None
                    )
                )
            sessions.insert_sessions(db, batch, username=names[user_id], now=NOW)
            spans = [session.span() for session in batch]
            days = {day.date() for day in (span.start for span in spans)} | {span.end.date() for span in spans}
            totals += [(user_id, day_total(spans, day, BOARD_ZONE, user_zone=zone)) for day in sorted(days)]
        dailytotals.insert_new_days(db, totals=totals, now=NOW)


def routes(db: Database[Any], user_id: str) -> dict[str, Callable[[], Any]]:
    caller = Caller()
    return {
        "global": lambda: analytics.read_global(db, now=NOW, zone=BOARD_ZONE),
        "global/live": lambda: analytics.read_live(db, now=NOW, zone=BOARD_ZONE, presence_ttl=PRESENCE_TTL),
        "global/trends?days=30": lambda: analytics.read_trends(db, days=30, now=NOW, zone=BOARD_ZONE),
        "global/heatmap/hourly?window=30": lambda: analytics.read_hourly_heatmap(
            db, window=30, now=NOW, zone=BOARD_ZONE
        ),
        "global/languages?period=30d": lambda: analytics.read_language_growth(
            db, days=30, limit=10, compare=True, now=NOW, zone=BOARD_ZONE
        ),
        "{userId}/filter": lambda: analytics.read_user_filter(
            db, user_id=user_id, caller=caller, start=None, end=None, now=NOW
        ),
        "{userId}/languages": lambda: analytics.read_user_languages(
            db, user_id=user_id, caller=caller, start=None, end=None, top_n=5, now=NOW
        ),
        "{userId}/heatmap": lambda: analytics.read_user_heatmap(db, user_id=user_id, caller=caller, year=None, now=NOW),
    }


def run(uri: str, sizes: list[int]) -> None:
    counter = Counter()
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True, event_listeners=[counter])
    print(f"server: {server_label(uri)}")
    print(f"{'users':>8} {'route (GET /api/stats/...)':<34} {'round trips':>11} {'ms':>10}")
    for size in sizes:
        name = f"bench_stats_{size}"
        client.drop_database(name)
        db = client[name]
        started = time.perf_counter()
        populate(db, size)
        print(f"{size:>8} (seeded {size * DAYS} sessions in {time.perf_counter() - started:.0f} s)")
        for route, read in routes(db, f"{100000000000000000 + size // 2}").items():
            counter.reset()
            began = time.perf_counter()
            read()
            print(f"{size:>8} {route:<34} {counter.commands:>11} {(time.perf_counter() - began) * 1000:>10.1f}")
        client.drop_database(name)
    client.close()


def main() -> None:
    run_sizes(__doc__.splitlines()[0], run)


if __name__ == "__main__":
    main()
