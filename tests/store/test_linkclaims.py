"""The linkclaims repository: each step of a code is taken by exactly one caller, however many race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.store import linkclaims

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)


def test_one_caller_takes_each_step_of_a_code(db: Database[dict[str, Any]]) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        taken = list(
            pool.map(
                lambda _: linkclaims.claim_by_hash(db, step="link", code_hash="h", expires_at=LATER, now=NOW), range(40)
            )
        )
    assert sum(taken) == 1
    assert linkclaims.claim_by_hash(db, step="pickup", code_hash="h", expires_at=LATER, now=NOW) is True
    assert sorted(doc["_id"] for doc in db.linkclaims.find()) == ["link|h", "pickup|h"]


def test_expired_claims_are_deleted_as_new_ones_are_made(db: Database[dict[str, Any]]) -> None:
    linkclaims.claim_by_hash(db, step="link", code_hash="old", expires_at=NOW, now=NOW - timedelta(minutes=1))
    assert linkclaims.claim_by_hash(db, step="link", code_hash="new", expires_at=LATER, now=NOW) is True
    assert [doc["_id"] for doc in db.linkclaims.find()] == ["link|new"]
