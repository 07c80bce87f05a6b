"""Two lazy, thread-safe MongoClients per process, the app database and its indexes.

Requests use ``get_db``: every operation waits at most MONGODB_TIMEOUT_MS and is not retried, so a
request answers 503 quickly. Timers and Durable activities use ``get_job_db``: the same database through
a client whose operations may take MONGODB_JOB_TIMEOUT_MS (a cleanup's delete over a large collection is
not a request) and are retried once as the driver does by default. Clients are built on first use, never
at import: a ``mongodb+srv://`` URI does DNS in the constructor, and anything that raises at import would
unload every function of the app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import pymongo
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure, PyMongoError

from tracking import config

_client: MongoClient | None = None
_job_client: MongoClient | None = None
_client_lock = threading.Lock()

IndexInstaller = Callable[[Database], None]
_index_installers: list[IndexInstaller] = []
_indexed_databases: set[str] = set()
_index_lock = threading.Lock()


def _new_client(*, answer_timeout_ms: int, retries: bool) -> MongoClient:
    timeout_ms = config.settings().mongodb_timeout_ms
    return MongoClient(
        config.settings().mongodb_uri,
        appname="distrack-functions",
        tz_aware=True,
        connect=False,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        # How long an answer may take: without a bound, a server that stops answering would hold the
        # operation until the driver's monitor notices.
        socketTimeoutMS=answer_timeout_ms,
        retryReads=retries,
        retryWrites=retries,
        # Below the ~4 minute idle cut of Azure load balancers.
        maxIdleTimeMS=120_000,
    )


def get_client() -> MongoClient:
    """The requests' client: every operation waits at most MONGODB_TIMEOUT_MS.

    Whether for a server, a connection or an answer; and it fails instead of retrying, which would double
    that: the request answers 503 with Retry-After and its client retries.
    """
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = _new_client(answer_timeout_ms=config.settings().mongodb_timeout_ms, retries=False)
    return _client


def get_job_client() -> MongoClient:
    """The timers' and Durable activities' client: answers may take MONGODB_JOB_TIMEOUT_MS, retried once."""
    global _job_client
    if _job_client is None:
        with _client_lock:
            if _job_client is None:
                _job_client = _new_client(answer_timeout_ms=config.settings().mongodb_job_timeout_ms, retries=True)
    return _job_client


def close_client() -> None:
    """Drop the process clients (tests and the local host use it when settings change)."""
    global _client, _job_client
    with _client_lock:
        for client in (_client, _job_client):
            if client is not None:
                client.close()
        _client = _job_client = None
    with _index_lock:
        _indexed_databases.clear()


def indexes(installer: IndexInstaller) -> IndexInstaller:
    """Register a function that creates a collection's indexes; repositories declare theirs with it."""
    _index_installers.append(installer)
    return installer


def get_db() -> Database:
    """The app database for a request, with every registered index created once per process."""
    return _indexed(get_client()[config.settings().mongodb_db])


def get_job_db() -> Database:
    """The app database for a timer or a Durable activity (get_job_client)."""
    return _indexed(get_job_client()[config.settings().mongodb_db])


def _indexed(database: Database) -> Database:
    if database.name not in _indexed_databases:
        with _index_lock:
            if database.name not in _indexed_databases:
                ensure_indexes(database)
                _indexed_databases.add(database.name)
    return database


def ensure_indexes(database: Database) -> None:
    """Create every declared index; creating an index that exists is a no-op, so this is idempotent."""
    for installer in _index_installers:
        installer(database)


def ping(timeout_seconds: float = 2.0) -> float:
    """Round-trip time of a ping in milliseconds; raises PyMongoError when the server is unreachable."""
    started = time.perf_counter()
    with pymongo.timeout(timeout_seconds):
        get_client().admin.command("ping")
    return (time.perf_counter() - started) * 1000


# Server errors that mean "not now" rather than "wrong": a shutdown or step-down in progress, an unreachable host.
UNAVAILABLE_CODES = frozenset({6, 7, 89, 91, 189, 11600, 11602, 13435, 13436})


def is_unavailable(error: BaseException) -> bool:
    """True when an error means the database cannot be reached now (answer 503, try again later)."""
    if isinstance(error, ConnectionFailure) or (isinstance(error, PyMongoError) and error.timeout):
        return True
    if isinstance(error, BulkWriteError):
        codes = {item.get("code") for item in error.details.get("writeErrors", [])}
        return bool(codes) and codes <= UNAVAILABLE_CODES
    return isinstance(error, OperationFailure) and error.code in UNAVAILABLE_CODES


def size_in_bytes(db: Database) -> int:
    """Storage plus index size of the database from ``dbStats`` (0 for a database that does not exist yet)."""
    stats = db.command("dbStats")
    return int(stats.get("storageSize", 0)) + int(stats.get("indexSize", 0))


def insert_new(collection: Collection[Any], documents: Sequence[dict[str, Any]]) -> list[bool]:
    """Insert under the collection's unique key in one write; per document, False when it was already there.

    An insert under a unique key is atomic on MongoDB and on FerretDB alike, so this is what makes a
    replayed write change nothing.
    """
    if not documents:
        return []
    try:
        collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        duplicates = {item["index"] for item in error.details.get("writeErrors", []) if item.get("code") == 11000}
        if any(item.get("code") != 11000 for item in error.details.get("writeErrors", [])):
            raise
        return [index not in duplicates for index in range(len(documents))]
    return [True] * len(documents)
