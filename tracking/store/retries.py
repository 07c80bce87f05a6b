"""Writes that retry an upsert which lost a race to insert the same key, on MongoDB and on FerretDB.

Two upserts of one missing key can both decide to insert; the loser fails with a duplicate key
error (11000) and changed nothing, so sending it again turns it into a plain update. MongoDB
reports that as ``DuplicateKeyError`` or a ``BulkWriteError`` of 11000s. FerretDB v1 (the
development database) answers an update command that hit a write error without ``nModified``,
so pymongo's ``Collection.bulk_write`` fails parsing the reply with ``KeyError('nModified')``
before it can raise the real error. These helpers retry exactly those failures a bounded number
of times and re-raise anything else, and the last failure when the attempts run out.

The repositories call them instead of the raw pymongo calls:

- ``bulk_write_retrying(collection, operations)`` for ``Collection.bulk_write``. A failed batch
  may have applied some of its operations (FerretDB stops at the first error even when unordered),
  and the retry sends them all again, so every operation must give the same result when applied
  twice: ``$set`` upserts and deletes do, ``$inc`` does not.
- ``upsert_retrying(collection, filter, update)`` for ``update_one(..., upsert=True)``.
- ``find_one_and_upsert_retrying(collection, filter, update)`` for
  ``find_one_and_update(..., upsert=True, return_document=AFTER)``.
- ``upsert_unless_taken(collection, filter, update)`` for a conditional upsert whose filter names the
  ``_id`` and more: when another document holds that ``_id`` but misses the rest, the insert fails with the
  same duplicate key, and the caller learns so (False) instead of a retry that could only fail again.

A single-document upsert that failed with a duplicate key applied nothing, so those two are safe
with any update, ``$inc`` included.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, ReturnDocument, UpdateMany, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError
from pymongo.results import BulkWriteResult, UpdateResult

T = TypeVar("T")

WriteOperation = InsertOne[Any] | DeleteOne | DeleteMany | ReplaceOne[Any] | UpdateOne | UpdateMany

# Enough for 16 writers racing on one key in the tests; each retry usually finds the document.
ATTEMPTS = 5
DUPLICATE_KEY = 11000
# A short, growing pause lets the winning insert commit before the retry reads again.
BACKOFF_SECONDS = 0.005


def bulk_write_retrying(
    collection: Collection[Any],
    operations: Sequence[WriteOperation],
    *,
    ordered: bool = False,
    attempts: int = ATTEMPTS,
) -> BulkWriteResult:
    """``collection.bulk_write(operations, ordered=ordered)``, retrying a racing upsert (idempotent operations only)."""
    return _retrying(lambda: collection.bulk_write(list(operations), ordered=ordered), _is_racing_bulk_upsert, attempts)


def upsert_retrying(
    collection: Collection[Any], filter: Mapping[str, Any], update: Mapping[str, Any], *, attempts: int = ATTEMPTS
) -> UpdateResult:
    """``collection.update_one(filter, update, upsert=True)``, retrying when another upsert inserted the key first."""
    return _retrying(lambda: collection.update_one(filter, update, upsert=True), _is_racing_upsert, attempts)


def find_one_and_upsert_retrying(
    collection: Collection[Any], filter: Mapping[str, Any], update: Mapping[str, Any], *, attempts: int = ATTEMPTS
) -> dict[str, Any]:
    """The document after ``find_one_and_update(filter, update, upsert=True)``, retrying a racing upsert."""

    def write() -> dict[str, Any]:
        document = collection.find_one_and_update(filter, update, upsert=True, return_document=ReturnDocument.AFTER)
        if document is None:  # an upsert that returns the new document never gives None
            raise LookupError(f"the upsert of {filter} in {collection.name} returned no document")
        return dict(document)

    return _retrying(write, _is_racing_upsert, attempts)


def upsert_unless_taken(collection: Collection[Any], filter: Mapping[str, Any], update: Mapping[str, Any]) -> bool:
    """``collection.update_one(filter, update, upsert=True)``; False, with nothing written, when the key is taken."""
    try:
        collection.update_one(filter, update, upsert=True)
    except (DuplicateKeyError, KeyError) as error:
        if not _is_racing_upsert(error):
            raise
        return False
    return True


def _retrying(write: Callable[[], T], is_racing: Callable[[Exception], bool], attempts: int) -> T:
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except (BulkWriteError, DuplicateKeyError, KeyError) as error:
            if attempt == attempts or not is_racing(error):
                if _is_ferretdb_parse_error(error):
                    error.add_note("FerretDB answered a write error without nModified; pymongo could not read it")
                raise
        time.sleep(BACKOFF_SECONDS * attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _is_ferretdb_parse_error(error: Exception) -> bool:
    # pymongo reads result["nModified"] of every update reply; FerretDB leaves it out of error replies.
    return isinstance(error, KeyError) and error.args == ("nModified",)


def _is_racing_upsert(error: Exception) -> bool:
    """A single-document upsert: any duplicate key means another writer inserted the key first."""
    return isinstance(error, DuplicateKeyError) or _is_ferretdb_parse_error(error)


def _is_racing_bulk_upsert(error: Exception) -> bool:
    """A bulk write whose only failures are duplicate keys on upserts (not on inserts or replacements)."""
    if _is_ferretdb_parse_error(error):
        return True
    if not isinstance(error, BulkWriteError):
        return False
    details = error.details
    errors = details.get("writeErrors") or []
    if not errors or details.get("writeConcernErrors"):
        return False
    return all(item.get("code") == DUPLICATE_KEY and _is_upsert_statement(item.get("op")) for item in errors)


def _is_upsert_statement(op: object) -> bool:
    # pymongo puts the failed statement in "op": for an update that is {"q": ..., "u": ..., "upsert": ...}.
    return isinstance(op, Mapping) and "q" in op and "u" in op and op.get("upsert") is True
