"""The creditclaims repository against the development database: one writer per version, take-overs, deletes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.store import client, creditclaims
from tracking.store.creditclaims import Claim

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)
ADA, BOB = "100000000000000001", "100000000000000002"


def test_one_claim_per_user_and_version(db: Database[Any]) -> None:
    assert creditclaims.insert_claim(db, user_id=ADA, version=1, now=NOW) == Claim(ADA, 1, NOW)
    assert creditclaims.insert_claim(db, user_id=ADA, version=1, now=LATER) is None
    assert creditclaims.insert_claim(db, user_id=ADA, version=2, now=LATER) == Claim(ADA, 2, LATER)
    assert creditclaims.insert_claim(db, user_id=BOB, version=1, now=LATER) == Claim(BOB, 1, LATER)
    assert sorted(db["creditclaims"].find(), key=lambda doc: doc["_id"]) == [
        {"_id": f"{ADA}|1", "userId": ADA, "version": 1, "claimedAt": NOW},
        {"_id": f"{ADA}|2", "userId": ADA, "version": 2, "claimedAt": LATER},
        {"_id": f"{BOB}|1", "userId": BOB, "version": 1, "claimedAt": LATER},
    ]
    assert creditclaims.find_claim(db, user_id=ADA, version=1) == Claim(ADA, 1, NOW)  # the first writer's
    assert creditclaims.find_claim(db, user_id=ADA, version=3) is None


def test_concurrent_claims_of_one_version_have_one_winner(db: Database[Any]) -> None:
    client.ensure_indexes(db)
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda n: creditclaims.insert_claim(db, user_id=ADA, version=1, now=NOW), range(8)))
    assert len([claim for claim in claims if claim is not None]) == 1
    assert db["creditclaims"].count_documents({}) == 1


def test_a_stale_claim_is_taken_over_by_one_writer_only(db: Database[Any]) -> None:
    stale = creditclaims.insert_claim(db, user_id=ADA, version=1, now=NOW)
    assert stale is not None
    assert creditclaims.take_over_claim(db, stale, now=LATER) == Claim(ADA, 1, LATER)
    # A second writer that saw the same stale claim finds the first take-over's claim, which it must not delete.
    assert creditclaims.take_over_claim(db, stale, now=LATER + timedelta(seconds=1)) is None
    assert creditclaims.find_claim(db, user_id=ADA, version=1) == Claim(ADA, 1, LATER)
    assert db["creditclaims"].count_documents({}) == 1


def test_claims_in_a_window_and_deletes_up_to_a_version_or_before_a_time(db: Database[Any]) -> None:
    for version in (1, 2, 3):
        creditclaims.insert_claim(db, user_id=ADA, version=version, now=NOW + timedelta(minutes=version))
    creditclaims.insert_claim(db, user_id=BOB, version=1, now=NOW)
    window = creditclaims.find_claims_between(db, start=NOW, end=NOW + timedelta(minutes=2))
    assert sorted(window, key=lambda claim: claim.user_id) == [
        Claim(ADA, 1, NOW + timedelta(minutes=1)),
        Claim(BOB, 1, NOW),
    ]
    assert creditclaims.delete_claims_by_user_up_to(db, user_id=ADA, version=2) == 2
    assert creditclaims.delete_claims_by_user_up_to(db, user_id=ADA, version=2) == 0
    assert sorted((doc["userId"], doc["version"]) for doc in db["creditclaims"].find()) == [(ADA, 3), (BOB, 1)]
    assert creditclaims.delete_claims_before(db, NOW + timedelta(minutes=1)) == 1
    assert [(doc["userId"], doc["version"]) for doc in db["creditclaims"].find()] == [(ADA, 3)]
