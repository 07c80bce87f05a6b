"""The attempt claim: one sender per attempt, and a dead sender's attempt taken over after its lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.domain.webhooks import ATTEMPT_LEASE
from tracking.store import webhookattempts
from tracking.store.webhookattempts import Attempt

NOW = datetime.now(UTC).replace(microsecond=0)


def attempt(number: int = 1, at: datetime = NOW) -> Attempt:
    return Attempt("dlv_1", "wh_1", "evt_1", "ping", number, "sending", at)


def test_an_attempt_is_claimed_once(db: Database[Any]) -> None:
    assert webhookattempts.claim_attempt(db, attempt()) is True
    assert webhookattempts.claim_attempt(db, attempt()) is False
    assert webhookattempts.claim_attempt(db, attempt(2)) is True
    assert db["webhookattempts"].count_documents({}) == 2


def test_a_stale_claim_is_taken_over_once(db: Database[Any]) -> None:
    stale = attempt(at=NOW - ATTEMPT_LEASE - timedelta(seconds=1))
    assert webhookattempts.claim_attempt(db, stale)
    held = webhookattempts.find_attempt(db, delivery_id="dlv_1", number=1)
    assert held == stale
    assert webhookattempts.take_over_attempt(db, held, now=NOW) is True
    assert webhookattempts.take_over_attempt(db, held, now=NOW) is False  # another sender was first
    assert webhookattempts.find_attempt(db, delivery_id="dlv_1", number=1) == attempt()


def test_a_finished_attempt_keeps_its_outcome(db: Database[Any]) -> None:
    webhookattempts.claim_attempt(db, attempt())
    done = Attempt("dlv_1", "wh_1", "evt_1", "ping", 1, "failed", NOW, 500, 12.5, "The receiver answered 500", "{}")
    webhookattempts.finish_attempt(db, done)
    assert webhookattempts.find_attempts_by_subscription(db, subscription_id="wh_1", status="failed", limit=5) == [done]
    assert webhookattempts.find_attempts_by_subscription(db, subscription_id="wh_1", status="sending", limit=5) == []
