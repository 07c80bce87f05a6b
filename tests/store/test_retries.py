"""Retrying upserts that race on one key, against the real database (FerretDB or MongoDB)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pytest
from pymongo import DeleteOne, InsertOne, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from tracking.store.retries import (
    bulk_write_retrying,
    find_one_and_upsert_retrying,
    upsert_retrying,
    upsert_unless_taken,
)

THREADS = 16
ROUNDS = 6


def race(write: Callable[[int], object]) -> list[BaseException | None]:
    """Run ``write(thread)`` in THREADS threads released together; per thread, the exception it raised or None."""
    barrier = threading.Barrier(THREADS)

    def one(thread: int) -> BaseException | None:
        barrier.wait(timeout=30)
        try:
            write(thread)
        except Exception as error:  # the test reports every failure, whatever its type
            return error
        return None

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def test_racing_bulk_upserts_of_one_id_all_succeed(db: Database[dict[str, Any]]) -> None:
    boards = db["boards"]
    for round_ in range(ROUNDS):
        key = f"day:2026-11-{round_ + 1:02d}:ada"

        def write(thread: int, key: str = key) -> None:
            operations = [
                UpdateOne({"_id": key}, {"$set": {"total": 60, "writer": thread}}, upsert=True),
                UpdateOne({"_id": f"{key}:python"}, {"$set": {"total": 60}}, upsert=True),
            ]
            bulk_write_retrying(boards, operations)

        assert race(write) == [None] * THREADS
        assert boards.count_documents({"_id": {"$in": [key, f"{key}:python"]}}) == 2
        document = boards.find_one({"_id": key})
        assert document is not None and document["total"] == 60 and document["writer"] in range(THREADS)


def test_racing_single_upserts_of_one_id_all_succeed(db: Database[dict[str, Any]]) -> None:
    totals = db["dailytotals"]
    for round_ in range(ROUNDS):
        key = f"ada:{round_}"

        def write(thread: int, key: str = key) -> None:
            upsert_retrying(totals, {"_id": key}, {"$set": {"seconds": 120}, "$setOnInsert": {"first": thread}})

        assert race(write) == [None] * THREADS
        assert totals.count_documents({"_id": key}) == 1


def test_racing_find_one_and_upserts_all_return_the_document(db: Database[dict[str, Any]]) -> None:
    windows = db["ratelimits"]
    found: list[dict[str, Any]] = []
    for round_ in range(ROUNDS):
        key = f"link:ada:{round_}"

        def write(thread: int, key: str = key) -> None:
            found.append(find_one_and_upsert_retrying(windows, {"_id": key}, {"$set": {"window": key}}))

        assert race(write) == [None] * THREADS
    assert len(found) == THREADS * ROUNDS
    assert all(document["_id"] == document["window"] for document in found)


def test_a_bulk_write_that_also_deletes_is_retried_as_a_whole(db: Database[dict[str, Any]]) -> None:
    boards = db["boards"]
    boards.insert_one({"_id": "week:old:ada", "total": 1})

    def write(thread: int) -> None:
        bulk_write_retrying(
            boards,
            [
                UpdateOne({"_id": "week:new:ada"}, {"$set": {"total": 7}}, upsert=True),
                DeleteOne({"_id": "week:old:ada"}),
            ],
        )

    assert race(write) == [None] * THREADS
    assert sorted(document["_id"] for document in boards.find()) == ["week:new:ada"]


def test_a_duplicate_insert_is_not_retried(db: Database[dict[str, Any]]) -> None:
    sessions = db["sessions"]
    sessions.insert_one({"_id": "s1"})
    with pytest.raises(BulkWriteError) as raised:
        bulk_write_retrying(sessions, [InsertOne({"_id": "s1"})])
    assert raised.value.details["writeErrors"][0]["code"] == 11000


class CountingCollection:
    """Stands in for a collection whose writes always fail with ``error``, counting the calls."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0
        self.name = "fake"

    def _fail(self, *args: object, **kwargs: object) -> None:
        self.calls += 1
        raise self.error

    bulk_write = update_one = find_one_and_update = _fail


def fake(error: Exception) -> tuple[CountingCollection, Collection[Any]]:
    collection = CountingCollection(error)
    return collection, cast(Collection[Any], collection)


def test_other_errors_are_raised_at_once() -> None:
    counting, collection = fake(KeyError("n"))
    with pytest.raises(KeyError):
        bulk_write_retrying(collection, [UpdateOne({"_id": 1}, {"$set": {"a": 1}}, upsert=True)])
    assert counting.calls == 1

    insert_conflict = BulkWriteError({"writeErrors": [{"code": 11000, "index": 0, "op": {"_id": 1}}]})
    counting, collection = fake(insert_conflict)
    with pytest.raises(BulkWriteError):
        bulk_write_retrying(collection, [InsertOne({"_id": 1})])
    assert counting.calls == 1


def test_a_race_that_never_ends_gives_up_after_the_attempts() -> None:
    counting, collection = fake(DuplicateKeyError("E11000", 11000))
    with pytest.raises(DuplicateKeyError):
        upsert_retrying(collection, {"_id": 1}, {"$set": {"a": 1}}, attempts=3)
    assert counting.calls == 3

    counting, collection = fake(KeyError("nModified"))
    with pytest.raises(KeyError) as raised:
        bulk_write_retrying(collection, [UpdateOne({"_id": 1}, {"$set": {"a": 1}}, upsert=True)], attempts=2)
    assert counting.calls == 2
    assert "FerretDB" in "".join(raised.value.__notes__)


def test_an_upsert_whose_key_is_taken_writes_nothing(db: Database[dict[str, Any]]) -> None:
    db["things"].insert_one({"_id": "k", "n": 1})
    assert upsert_unless_taken(db["things"], {"_id": "k", "n": 2}, {"$set": {"m": 1}}) is False
    assert upsert_unless_taken(db["things"], {"_id": "j", "n": 2}, {"$set": {"m": 1}}) is True
    assert list(db["things"].find({}, sort=[("_id", 1)])) == [{"_id": "j", "n": 2, "m": 1}, {"_id": "k", "n": 1}]
