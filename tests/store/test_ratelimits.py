"""Rate limits kept in the database: fixed windows, per subject, and the per-caller link code limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.factories import USER_A, USER_B, create_user
from tracking.domain import linkcodes as rules
from tracking.domain.linkcodes import Limit
from tracking.errors import TooManyRequests
from tracking.store.linkcodes import issue_link_code
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
    assert db.ratelimits.count_documents({}) == 1


def test_check_counts_nothing(db: Database[dict[str, Any]]) -> None:
    assert check_by_subject(db, TWO_PER_MINUTE, "a", now=NOW).allowed is True
    hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW)
    hit_by_subject(db, TWO_PER_MINUTE, "a", now=NOW)
    assert check_by_subject(db, TWO_PER_MINUTE, "a", now=NOW).allowed is False
    assert db.ratelimits.find_one({})["count"] == 2  # type: ignore[index]


def test_link_codes_are_limited_per_caller(db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "CODES_PER_CALLER", Limit("link-code-caller", 1, timedelta(minutes=5)))
    create_user(db, USER_A, "ada")
    create_user(db, USER_B, "grace")
    issue_link_code(db, user_id=USER_A, caller_key_id="website", now=NOW)
    with pytest.raises(TooManyRequests) as refused:
        issue_link_code(db, user_id=USER_B, caller_key_id="website", now=NOW)
    assert (refused.value.message, refused.value.headers) == ("Rate limit exceeded for caller", {"Retry-After": "240"})
    assert db.linkcodes.count_documents({"userId": USER_B}) == 0
    issue_link_code(db, user_id=USER_B, caller_key_id="bot", now=NOW)
