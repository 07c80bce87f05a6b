"""The ``creditclaims`` collection: who may write a user's derived data next, one document per credit version.

Crediting moves week and month totals by differences, which is exact only with one writer per user at a
time. A writer first inserts ``{_id: "<userId>|<version>"}`` for the version after the one the user
document holds; the unique ``_id`` lets exactly one writer have it, on MongoDB and on the development
database alike (where an update of one document is not atomic, but an insert under a unique key is).
A claim older than its lease whose version never reached the user document belonged to a writer that
died: the next writer takes it over and rebuilds the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.store.client import indexes

COLLECTION = "creditclaims"


@indexes
def create_creditclaim_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("userId", ASCENDING), ("version", ASCENDING)], name="userId_1_version_1")
    db[COLLECTION].create_index("claimedAt", name="claimedAt_1")


@dataclass(frozen=True)
class Claim:
    user_id: str
    version: int
    claimed_at: datetime


def _claim_id(user_id: str, version: int) -> str:
    return f"{user_id}|{version}"


def insert_claim(db: Database[Any], *, user_id: str, version: int, now: datetime) -> Claim | None:
    """Claim ``version`` of the user; None when another writer holds it."""
    document = {"_id": _claim_id(user_id, version), "userId": user_id, "version": version, "claimedAt": now}
    try:
        db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return None
    return Claim(user_id, version, now)


def find_claim(db: Database[Any], *, user_id: str, version: int) -> Claim | None:
    doc = db[COLLECTION].find_one({"_id": _claim_id(user_id, version)})
    return None if doc is None else Claim(doc["userId"], doc["version"], doc["claimedAt"])


def take_over_claim(db: Database[Any], stale: Claim, *, now: datetime) -> Claim | None:
    """Replace a dead writer's claim with ours; None when another writer took it over first."""
    db[COLLECTION].delete_one({"_id": _claim_id(stale.user_id, stale.version), "claimedAt": stale.claimed_at})
    return insert_claim(db, user_id=stale.user_id, version=stale.version, now=now)


def find_claims_between(db: Database[Any], *, start: datetime, end: datetime) -> list[Claim]:
    """The claims made in ``[start, end)`` (the credit sweep's window)."""
    cursor = db[COLLECTION].find({"claimedAt": {"$gte": start, "$lt": end}})
    return [Claim(doc["userId"], doc["version"], doc["claimedAt"]) for doc in cursor]


def delete_claims_before(db: Database[Any], cutoff: datetime) -> int:
    """Drop every claim older than ``cutoff``: long past any writer's lease, they decide nothing any more."""
    return db[COLLECTION].delete_many({"claimedAt": {"$lt": cutoff}}).deleted_count


def delete_claims_by_user_up_to(db: Database[Any], *, user_id: str, version: int) -> int:
    """Drop the claims of versions the user document has reached: they decide nothing any more."""
    return db[COLLECTION].delete_many({"userId": user_id, "version": {"$lte": version}}).deleted_count


def delete_claims_by_user(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count
