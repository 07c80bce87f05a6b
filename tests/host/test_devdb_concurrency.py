"""The development database keeps answering under concurrent writes and reads of one key.

FerretDB v1.24.2 kept every statement of an ``update`` command reading from its own SQLite
connection until the command ended: 16 clients sending multi-statement bulk updates used up its
pool of 100 connections and waited for each other forever (tools/devdb/patches fixes it). This
hammers a devdb of its own the same way, with a deadline on every operation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import pymongo
import pytest
from pymongo import MongoClient, UpdateOne
from pymongo.collection import Collection

from tracking.host.devdb import DevDatabase, free_port

THREADS = 16
ROUNDS = 6
# One bulk write of this many matched updates held this many connections: 16 x 25 > 100.
STATEMENTS = 25
OPERATION_TIMEOUT_SECONDS = 10.0
KEYS = [f"allTime:ada:{index}" for index in range(STATEMENTS)]


@pytest.fixture
def devdb(tmp_path: Path) -> Iterator[DevDatabase]:
    server = DevDatabase(tmp_path / "devdb", free_port()).start()
    try:
        yield server
    finally:
        server.stop()


def hammer(boards: Collection[dict[str, Any]], thread: int, barrier: threading.Barrier) -> int:
    """ROUNDS of a bulk update of every key, an update and two reads of one key; returns the operations done."""
    barrier.wait(timeout=30)
    done = 0
    for round_ in range(ROUNDS):
        with pymongo.timeout(OPERATION_TIMEOUT_SECONDS):
            boards.bulk_write(
                [UpdateOne({"_id": key}, {"$set": {"total": round_, "by": thread}}, upsert=True) for key in KEYS],
                ordered=False,
            )
        with pymongo.timeout(OPERATION_TIMEOUT_SECONDS):
            boards.update_one({"_id": KEYS[0]}, {"$set": {"seen": thread}})
        with pymongo.timeout(OPERATION_TIMEOUT_SECONDS):
            assert boards.find_one({"_id": KEYS[0]}) is not None
        with pymongo.timeout(OPERATION_TIMEOUT_SECONDS):
            assert len(list(boards.find({"board": "allTime"}))) == STATEMENTS
        done += 4
    return done


def test_concurrent_writes_and_reads_of_one_key_never_hang(devdb: DevDatabase) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(devdb.uri, serverSelectionTimeoutMS=5000)
    try:
        boards = client["concurrency"]["boards"]
        # The documents exist first, so every statement is a matched update (no racing inserts).
        boards.insert_many([{"_id": key, "board": "allTime", "total": 0} for key in KEYS])
        barrier = threading.Barrier(THREADS)
        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(hammer, boards, thread, barrier) for thread in range(THREADS)]
            finished, unfinished = wait(futures, timeout=ROUNDS * 4 * OPERATION_TIMEOUT_SECONDS)
            assert not unfinished, "some threads never finished"
            assert sum(future.result() for future in finished) == THREADS * ROUNDS * 4
        elapsed = time.monotonic() - started
        with pymongo.timeout(OPERATION_TIMEOUT_SECONDS):
            assert boards.count_documents({}) == STATEMENTS
            assert {document["total"] for document in boards.find()} <= set(range(ROUNDS))
        assert elapsed < 60, f"{THREADS * ROUNDS * 4} operations took {elapsed:.1f} s"
    finally:
        client.close()
