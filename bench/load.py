"""Benchmark: the local host under load on loopback, and through a database outage.

Each client is a thread with its own connection (``requests.Session``) and its own users, whose ingest keys are
issued through the API (``POST /api/link``, ``POST /api/admin/keys``). It loops over a fixed mix: a session
(``POST /api/coding-session``), the day board, a session, the week board (``GET /api/leaderboard/{day,week}``).
For each client count of ``--clients`` it runs ``--seconds`` on a database of its own and prints requests per
second, p50/p95/p99 latency and errors per kind, the peak RSS of the host process tree and of the database, and
lost sessions: acknowledged (2xx) sessions that are not stored, or not counted in their user's total.

Then one run per ``--outages`` kind, ``--outage-clients`` clients for ``--outage-seconds``, with the development
database down for the middle third: ``stop`` ends it (SIGTERM) and starts it again on the same port and data,
``pause`` freezes it (SIGSTOP, then SIGCONT), so that connections hang instead of being refused. It checks that no
acknowledged session is lost, that every answer other than 2xx is 503 with ``Retry-After``, that every answer
during the outage came within ``MONGODB_TIMEOUT_MS`` (``--timeout-ms``) plus ``--margin-ms`` (for the work a
request did before it met the outage: an ingest takes up to a second at 4 clients on 2 cores), and that 2xx answers
come back after it; it exits with 1 when a check fails or a session is lost.

    .venv/bin/python -m bench.load [--seconds 20] [--clients 1,4,16] [--outages stop,pause] [--outage-seconds 30]

Uses MONGODB_URI when set (then without the outage runs: the bench cannot stop that server), otherwise starts the
development database in a temporary folder. Times are labelled with the server they ran on: FerretDB/SQLite scans
every query, so its times are not MongoDB's.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench.servers import ADMIN_KEY, SERVICE_KEY, bench_database, bench_host, server_label
from tracking.config import MONGODB_TIMEOUT_MS
from tracking.host.devdb import DevDatabase
from tracking.host.process import RunningHost
from tracking.store import sessions

# One loop of every client; "ingest" posts a session, the others read that board.
MIX = ("ingest", "day", "ingest", "week")
KINDS = ("ingest", "day", "week")
SESSION = timedelta(minutes=10)
# Each user's sessions sit in distinct 15-minute slots of the last 29 days, in random order, so that none overlap
# (each one adds exactly its length to the user's total) and a day holds few of them, as for a real user.
SLOT = timedelta(minutes=15)
SLOTS = 29 * 24 * 4
LANGUAGES = ("python", "typescriptreact", "go", "markdown")
# A client gives up on an answer after this long (counted as an error: no answer).
REQUEST_TIMEOUT_SECONDS = 60
RSS_SAMPLE_SECONDS = 0.5
TABLE_HEADER = (
    f"{'clients':>7} {'kind':<7} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
    f"{'max ms':>8}  errors"
)


@dataclass(frozen=True)
class Answer:
    kind: str
    started: float
    seconds: float
    # The HTTP status, or the name of the exception when no answer came.
    status: int | str
    retry_after: bool

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300

    def overlaps(self, start: float, end: float) -> bool:
        return self.started <= end and self.started + self.seconds >= start


@dataclass(frozen=True)
class Posted:
    user_id: str
    start: datetime
    end: datetime


@dataclass
class BenchUser:
    user_id: str
    name: str
    key: str
    slots: Iterator[int]


@dataclass
class Run:
    """What the clients of one run saw, and the peak memory meanwhile."""

    started: float
    seconds: float = 0.0
    answers: list[Answer] = field(default_factory=list)
    acknowledged: list[Posted] = field(default_factory=list)
    host_rss_peak: int = 0
    database_rss_peak: int = 0


def rss_bytes(pid: int) -> int:
    """VmRSS of the process and of its descendants (0 for one that has gone)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name in parentheses may hold spaces: the parent pid is the second field after it.
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, []))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, math.ceil(share / 100 * len(values)) - 1)]


def create_users(host: RunningHost, *, count: int, seed: int) -> list[BenchUser]:
    """``count`` users, each linked and given an ingest key through the API."""
    users = []
    for index in range(count):
        user_id, name = str(300_000_000_000_000_000 + index), f"load{index}"
        linked = host.post(
            "link",
            json={"userId": user_id, "username": name},
            headers={"Authorization": f"Bearer {SERVICE_KEY}"},
        )
        linked.raise_for_status()
        issued = host.post(
            "admin/keys",
            json={"scope": "ingest", "label": "bench.load", "userId": user_id},
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
        issued.raise_for_status()
        slots = list(range(SLOTS))
        random.Random(seed + index).shuffle(slots)
        users.append(BenchUser(user_id, name, issued.json()["key"], iter(slots)))
    return users


def next_session(user: BenchUser, *, latest_end: datetime, number: int) -> tuple[Posted, dict[str, object]]:
    end = latest_end - next(user.slots) * SLOT
    posted = Posted(user.user_id, end - SESSION, end)
    body: dict[str, object] = {
        "userId": user.user_id,
        "username": user.name,
        "startTime": posted.start.isoformat(),
        "endTime": posted.end.isoformat(),
        "languages": {LANGUAGES[number % len(LANGUAGES)]: SESSION.total_seconds()},
    }
    return posted, body


def send(
    connection: requests.Session, host: RunningHost, kind: str, ingest: tuple[BenchUser, dict[str, object]] | None
) -> requests.Response:
    if ingest is None:
        return connection.get(host.url(f"leaderboard/{kind}"), timeout=REQUEST_TIMEOUT_SECONDS)
    user, body = ingest
    return connection.post(
        host.url("coding-session"),
        json=body,
        headers={"Authorization": f"Bearer {user.key}"},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )


def client_loop(host: RunningHost, users: list[BenchUser], *, run: Run, until: float, lock: threading.Lock) -> None:
    latest_end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    number = 0
    with requests.Session() as connection:
        while time.perf_counter() < until:
            kind = MIX[number % len(MIX)]
            posted, ingest = None, None
            if kind == "ingest":
                user = users[number // len(MIX) % len(users)]
                posted, body = next_session(user, latest_end=latest_end, number=number)
                ingest = (user, body)
            started = time.perf_counter()
            try:
                response = send(connection, host, kind, ingest)
                status: int | str = response.status_code
                retry_after = "Retry-After" in response.headers
            except requests.RequestException as error:
                status, retry_after = type(error).__name__, False
            answer = Answer(kind, started - run.started, time.perf_counter() - started, status, retry_after)
            with lock:
                run.answers.append(answer)
                if posted is not None and answer.ok:
                    run.acknowledged.append(posted)
            number += 1


def watch_memory(run: Run, *, host_pid: int, database: DevDatabase | None, done: threading.Event) -> None:
    while not done.wait(RSS_SAMPLE_SECONDS):
        run.host_rss_peak = max(run.host_rss_peak, rss_bytes(host_pid))
        # Read each time: a stopped and started database is a new process.
        process = database.process if database is not None else None
        if process is not None:
            run.database_rss_peak = max(run.database_rss_peak, rss_bytes(process.pid))


def run_clients(
    host: RunningHost,
    groups: list[list[BenchUser]],
    *,
    seconds: float,
    database: DevDatabase | None,
    meanwhile: Callable[[Run], None] = lambda run: None,
) -> Run:
    """One client thread per group of users for ``seconds``; ``meanwhile`` runs on this thread as they do."""
    run = Run(time.perf_counter())
    lock = threading.Lock()
    until = run.started + seconds
    clients = [
        threading.Thread(target=client_loop, args=(host, users), kwargs={"run": run, "until": until, "lock": lock})
        for users in groups
    ]
    done = threading.Event()
    watcher = threading.Thread(
        target=watch_memory, args=(run,), kwargs={"host_pid": host.process.pid, "database": database, "done": done}
    )
    for thread in [*clients, watcher]:
        thread.start()
    meanwhile(run)
    for thread in clients:
        thread.join()
    run.seconds = time.perf_counter() - run.started
    done.set()
    watcher.join()
    return run


@dataclass(frozen=True)
class Tally:
    acknowledged: int
    stored: int
    counted: int

    @property
    def lost(self) -> int:
        return self.acknowledged - min(self.stored, self.counted)


def tally(host: RunningHost, run: Run, users: list[BenchUser]) -> Tally:
    """Acknowledged sessions, those of them stored (the sessions repository), and those counted in the totals.

    A user's sessions never overlap, so their total (``GET /api/user-profile``) counts one session per
    ``SESSION`` of it; a session stored before a 503 may be counted too, so counted is capped at acknowledged.
    """
    stored = counted = 0
    for user in users:
        mine = [posted for posted in run.acknowledged if posted.user_id == user.user_id]
        spans = {(span.start, span.end) for span in sessions.find_spans_by_user(host.db, user.user_id)}
        stored += sum((posted.start, posted.end) in spans for posted in mine)
        profile = host.get(f"user-profile/{user.user_id}")
        profile.raise_for_status()
        in_total = int(profile.json()["totalCodingTime"] / SESSION.total_seconds() + 1e-6)
        counted += min(len(mine), in_total)
    return Tally(len(run.acknowledged), stored, counted)


def errors_text(answers: list[Answer]) -> str:
    statuses = Counter(str(answer.status) for answer in answers if not answer.ok)
    return " ".join(f"{status}x{count}" for status, count in sorted(statuses.items())) or "0"


def print_rows(label: str, run: Run) -> None:
    for kind in (*KINDS, "all"):
        answers = [answer for answer in run.answers if kind in ("all", answer.kind)]
        if not answers:
            continue
        millis = sorted(answer.seconds * 1000 for answer in answers)
        figures = " ".join(f"{percentile(millis, share):>8.1f}" for share in (50, 95, 99))
        print(
            f"{label:>7} {kind:<7} {len(answers):>8} {len(answers) / run.seconds:>7.1f} {figures} {millis[-1]:>8.1f}"
            f"  {errors_text(answers)}"
        )


def print_step_footer(run: Run, counts: Tally) -> None:
    database = f", database {run.database_rss_peak / 2**20:.0f} MB" if run.database_rss_peak else ""
    print(
        f"{'':>7} sessions acknowledged {counts.acknowledged}, stored {counts.stored}, counted {counts.counted}, "
        f"lost {counts.lost}; peak RSS host {run.host_rss_peak / 2**20:.0f} MB{database}"
    )


@dataclass
class Outage:
    """When the database was taken down, when it stopped serving, and when it answered again (seconds into the run)."""

    kind: str
    down: float = 0.0
    gone: float = 0.0
    up: float = 0.0


def cause_outage(outage: Outage, database: DevDatabase, seconds: float) -> Callable[[Run], None]:
    """Take the database down for the middle third of the run, then bring it back (``meanwhile`` of run_clients)."""

    def meanwhile(run: Run) -> None:
        assert database.process is not None
        time.sleep(seconds / 3)
        outage.down = time.perf_counter() - run.started
        if outage.kind == "stop":
            database.stop()  # FerretDB finishes the requests it holds before it exits
        else:
            database.process.send_signal(signal.SIGSTOP)
        outage.gone = time.perf_counter() - run.started
        time.sleep(max(0.0, run.started + 2 * seconds / 3 - time.perf_counter()))
        if outage.kind == "stop":
            database.start()
        else:
            database.process.send_signal(signal.SIGCONT)
        outage.up = time.perf_counter() - run.started

    return meanwhile


def outage_checks(run: Run, outage: Outage, counts: Tally, *, bound_ms: float) -> list[tuple[bool, str]]:
    during = [answer for answer in run.answers if answer.overlaps(outage.down, outage.up)]
    refused = [answer for answer in run.answers if not answer.ok]
    unexpected = [answer for answer in refused if answer.status != 503 or not answer.retry_after]
    slowest = max((answer.seconds * 1000 for answer in during), default=0.0)
    after = [answer for answer in run.answers if answer.ok and answer.started > outage.up]
    return [
        (
            counts.lost == 0,
            f"every acknowledged session stored and counted: lost {counts.lost} of {counts.acknowledged}",
        ),
        (
            not unexpected,
            f"every answer other than 2xx is 503 with Retry-After: {len(refused) - len(unexpected)} of {len(refused)}"
            f" ({errors_text(unexpected) if unexpected else 'none other'})",
        ),
        (
            slowest <= bound_ms,
            f"every answer during the outage within {bound_ms:.0f} ms: {len(during)} answers, slowest {slowest:.0f} ms",
        ),
        (bool(after), f"2xx again once the database is back: {len(after)} answers"),
    ]


@contextmanager
def step_host(uri: str, timeout_ms: int) -> Iterator[RunningHost]:
    with bench_host(uri, prefix="bench_load", extra_env={"MONGODB_TIMEOUT_MS": str(timeout_ms)}) as host:
        yield host


def split(users: list[BenchUser], clients: int) -> list[list[BenchUser]]:
    return [users[index::clients] for index in range(clients)]


def steady_run(uri: str, database: DevDatabase | None, args: argparse.Namespace, clients: int) -> bool:
    """One client count's run and its rows; True when no acknowledged session was lost."""
    with step_host(uri, args.timeout_ms) as host:
        users = create_users(host, count=clients * args.users_per_client, seed=clients)
        run = run_clients(host, split(users, clients), seconds=args.seconds, database=database)
        counts = tally(host, run, users)
    print_rows(str(clients), run)
    print_step_footer(run, counts)
    return counts.lost == 0


def outage_run(uri: str, database: DevDatabase, args: argparse.Namespace, kind: str) -> bool:
    """One outage run, its rows and its checks; True when every check passed."""
    with step_host(uri, args.timeout_ms) as host:
        users = create_users(host, count=args.outage_clients * args.users_per_client, seed=0)
        outage = Outage(kind)
        run = run_clients(
            host,
            split(users, args.outage_clients),
            seconds=args.outage_seconds,
            database=database,
            meanwhile=cause_outage(outage, database, args.outage_seconds),
        )
        counts = tally(host, run, users)
    how = "stopped (SIGTERM) and started again" if kind == "stop" else "frozen (SIGSTOP) and resumed (SIGCONT)"
    print(
        f"\noutage ({kind}): {args.outage_clients} clients for {args.outage_seconds:.0f} s, the database {how} "
        f"at {outage.down:.1f} s (gone at {outage.gone:.1f} s), answering again at {outage.up:.1f} s"
    )
    print(TABLE_HEADER)
    print_rows(str(args.outage_clients), run)
    print_step_footer(run, counts)
    checks = outage_checks(run, outage, counts, bound_ms=args.timeout_ms + args.margin_ms)
    for passed, text in checks:
        print(f"  [{'ok' if passed else 'FAILED'}] {text}")
    return all(passed for passed, _ in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="length of each client count's run")
    parser.add_argument("--clients", default="1,4,16", help="client counts, comma-separated")
    parser.add_argument("--users-per-client", type=int, default=4)
    parser.add_argument("--outages", default="stop,pause", help="outage runs, comma-separated: stop, pause, or ''")
    parser.add_argument("--outage-clients", type=int, default=4)
    parser.add_argument("--outage-seconds", type=float, default=30, help="length of an outage run (down a third)")
    parser.add_argument(
        "--timeout-ms", type=int, default=MONGODB_TIMEOUT_MS.parse_from({}), help="the host's MONGODB_TIMEOUT_MS"
    )
    parser.add_argument(
        "--margin-ms",
        type=int,
        default=2000,
        help="allowed above --timeout-ms during an outage, for the work a request did before it met the outage",
    )
    args = parser.parse_args(argv)
    client_counts = [int(count) for count in args.clients.split(",") if count]
    outages = [kind for kind in args.outages.split(",") if kind]
    if set(outages) - {"stop", "pause"}:
        parser.error("--outages takes stop and pause")

    passed = True
    with bench_database() as (uri, database):
        print(f"server: {server_label(uri)}; {os.cpu_count()} cores; host MONGODB_TIMEOUT_MS={args.timeout_ms}")
        print(
            f"each run on a fresh database, {args.users_per_client} users per client; every client loops over "
            f"{', '.join(MIX)}"
        )
        print(f"\n{args.seconds:.0f} s per client count")
        print(TABLE_HEADER)
        for clients in client_counts:
            passed &= steady_run(uri, database, args, clients)
        if outages and database is None:
            print("\noutage runs skipped: MONGODB_URI names a server this bench did not start")
        elif database is not None:
            for kind in outages:
                passed &= outage_run(uri, database, args, kind)
    print(f"\nresult: {'passed' if passed else 'FAILED'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
