"""Rate limits kept in the database: fixed windows, per subject, counted atomically."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.domain.ratelimits import Limit
from tracking.store.ratelimits import check_by_subject, hit_by_subject

NOW = datetime(2026, 11, 23, 10, 1, 0, tzinfo=UTC)
TWO_PER_MINUTE = Limit("test", 2, timedelta(minutes=1))


def test_hits_past_the_limit_are_refused_until_the_window_ends(db: Database[dict[str, Any]]) -> None:
    decisions = [hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW + timedelta(seconds=s)) for s in (0, 10, 20)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[2].retry_after_seconds == 40
    assert hit_by_subject(db, TWO_PER_MINUTE, "b", now=NOW).allowed is True
    assert hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW + timedelta(minutes=1)).allowed is True


def test_expired_windows_are_deleted(db: Database[dict[str, Any]]) -> None:
    hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW)
    hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW + timedelta(minutes=5))
    assert [doc["window"] for doc in db.ratelimits.find()] == [
        f"test:a:{int((NOW + timedelta(minutes=5)).timestamp()) // 60 * 60}"
    ]


def test_check_counts_nothing(db: Database[dict[str, Any]]) -> None:
    assert check_by_subject(db, TWO_PER_MINUTE, "a", now=NOW).allowed is True
    hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW)
    hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW)
    assert check_by_subject(db, TWO_PER_MINUTE, "a", now=NOW).allowed is False
    assert db.ratelimits.count_documents({"subject": "a"}) == 2


def test_concurrent_hits_are_all_counted_and_at_most_the_limit_pass(db: Database[dict[str, Any]]) -> None:
    ten = Limit("burst", 10, timedelta(minutes=10))
    with ThreadPoolExecutor(max_workers=16) as pool:
        decisions = list(pool.map(lambda _: hit_by_subject(db, ten, "client", now=NOW), range(40)))
    # Every attempt is counted; attempts that raced may see each other's, so fewer than ten may pass, never more.
    assert 1 <= sum(decision.allowed for decision in decisions) <= 10
    assert db.ratelimits.count_documents({"subject": "client"}) == 40
    assert hit_by_subject(db, ten, "client", now=NOW).allowed is False
