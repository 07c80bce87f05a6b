"""No lost updates: concurrent, repeated and failed requests for one user all end credited exactly once."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database
from pymongo.errors import AutoReconnect

from tracking import config
from tracking.domain.days import day_range, days_overlapped
from tracking.domain.intervals import credit
from tracking.domain.periods import period_at
from tracking.domain.sessions import NewSession
from tracking.errors import ServiceUnavailable
from tracking.services import ingest
from tracking.services.ingest import record_sessions, sweep_uncredited
from tracking.store import boards, creditclaims, users

USER = "123456789012345678"
NOW = datetime.now(UTC).replace(microsecond=0)
UTC_ZONE = config.settings().board_timezone


def new_session(index: int, start: datetime, minutes: float, language: str = "python") -> NewSession:
    end = start + timedelta(minutes=minutes)
    return NewSession(f"s{index}", USER, "ada", start, end, {language: minutes * 60}, None, None)


def record(db: Database[Any], batch: list[NewSession]) -> list[bool]:
    return record_sessions(db, batch=batch, now=NOW, settings=config.settings())


def expected_union(sessions: list[NewSession]) -> tuple[float, dict[date, float]]:
    spans = [session.span() for session in sessions]
    days = {day for span in spans for day in days_overlapped(span.start, span.end)}
    per_day = {day: credit(spans, *day_range(day)).seconds for day in days}
    return sum(per_day.values()), per_day


def assert_credited(db: Database[Any], sessions: list[NewSession]) -> None:
    total, per_day = expected_union(sessions)
    user = db["users"].find_one({"userId": USER})
    assert user is not None
    assert user["totalCodingTime"] == pytest.approx(total)
    stored = {doc["day"]: doc["seconds"] for doc in db["dailytotals"].find({"userId": USER})}
    assert stored == pytest.approx({day.isoformat(): seconds for day, seconds in per_day.items()})
    assert boards.find_entry(db, board="allTime", key="all", user_id=USER).total == pytest.approx(total)  # type: ignore[union-attr]
    spans = [session.span() for session in sessions]
    for timeframe in ("week", "month"):
        period = period_at(timeframe, NOW, UTC_ZONE)  # type: ignore[arg-type]
        entry = boards.find_entry(db, board=timeframe, key=period.key, user_id=USER)
        assert (entry.total if entry else 0.0) == pytest.approx(credit(spans, period.start, period.end).seconds)


def test_sixteen_threads_of_one_users_sessions_are_all_credited(db: Database[Any]) -> None:
    rng = random.Random(7)
    sessions = [
        new_session(index, NOW - timedelta(days=rng.uniform(0, 6), minutes=200), rng.uniform(5, 180))
        for index in range(96)
    ]
    # Single posts and bulk uploads mixed, as two editor windows and a catch-up upload would send them.
    requests = [sessions[i : i + 1] for i in range(0, 48)] + [sessions[i : i + 6] for i in range(48, 96, 6)]
    rng.shuffle(requests)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda batch: record(db, batch), requests))
    assert sum(sum(result) for result in results) == len(sessions)
    assert_credited(db, sessions)


def test_fifty_copies_of_one_session_credit_it_once(db: Database[Any]) -> None:
    session = new_session(1, NOW - timedelta(hours=2), 45)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda _: record(db, [session]), range(50)))
    assert sum(result == [True] for result in results) == 1
    assert db["codingsessions"].count_documents({"userId": USER}) == 1
    assert_credited(db, [session])


def test_achievements_are_awarded_once_whatever_the_interleaving(db: Database[Any]) -> None:
    # Eight sessions of 20 minutes: together they pass the one-hour "Novice" mark once.
    sessions = [new_session(index, NOW - timedelta(hours=10 - index), 20) for index in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda session: record(db, [session]), sessions))
    names = [item["name"] for item in db["users"].find_one({"userId": USER})["achievements"]]  # type: ignore[index]
    assert sorted(names) == sorted(set(names))
    assert "Novice 🥉" in names


def test_a_request_that_fails_after_storing_is_credited_by_its_retry(
    db: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = new_session(1, NOW - timedelta(hours=3), 30)
    record(db, [first])
    failing = new_session(2, NOW - timedelta(hours=2), 40)

    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise AutoReconnect("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(creditclaims, "insert_claim", unreachable)
        with pytest.raises(AutoReconnect):
            record(db, [failing])
    assert db["codingsessions"].count_documents({"userId": USER}) == 2  # stored, not credited
    assert db["users"].find_one({"userId": USER})["totalCodingTime"] == pytest.approx(1800)  # type: ignore[index]

    assert record(db, [failing]) == [False]  # the retry is a duplicate, and brings the totals up to date
    assert_credited(db, [first, failing])


def test_the_sweep_credits_a_stored_session_nobody_retried(db: Database[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    stored = new_session(1, NOW - timedelta(hours=2), 40)
    with monkeypatch.context() as patch:
        patch.setattr(creditclaims, "insert_claim", lambda *args, **kwargs: (_ for _ in ()).throw(AutoReconnect("x")))
        with pytest.raises(AutoReconnect):
            record(db, [stored])
    assert sweep_uncredited(db, since=NOW - timedelta(minutes=5), now=NOW, settings=config.settings()) == {
        "usersChecked": 1,
        "claimsRebuilt": 0,
    }
    assert_credited(db, [stored])


def test_a_dead_writers_claim_is_taken_over_and_the_user_rebuilt(db: Database[Any]) -> None:
    first = new_session(1, NOW - timedelta(hours=3), 30)
    record(db, [first])
    version = users.find_credit_version_by_id(db, USER)
    assert version is not None
    # A writer claimed the next version long ago and died before writing the user document.
    creditclaims.insert_claim(db, user_id=USER, version=version + 1, now=NOW - ingest.CLAIM_LEASE * 2)
    db["boards"].update_many({"userId": USER}, {"$set": {"total": 1.0}})  # what it half wrote

    second = new_session(2, NOW - timedelta(hours=1), 20)
    assert record(db, [second]) == [True]
    assert_credited(db, [first, second])
    # The rebuild under the taken-over claim already credited the new session: nothing was left to add.
    assert users.find_credit_version_by_id(db, USER) == version + 1


def test_a_writer_stuck_longer_than_the_database_timeout_is_not_waited_for(
    db: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = new_session(1, NOW - timedelta(hours=3), 30)
    record(db, [first])
    version = users.find_credit_version_by_id(db, USER)
    assert version is not None
    # A writer claimed the next version, then lost the database (an outage): its lease has not run out yet.
    stuck_since = datetime.now(UTC) - timedelta(milliseconds=2 * config.settings().mongodb_timeout_ms)
    assert datetime.now(UTC) - stuck_since < ingest.CLAIM_LEASE
    creditclaims.insert_claim(db, user_id=USER, version=version + 1, now=stuck_since)

    def waited(attempt: int, deadline: float) -> int:
        raise AssertionError("waited for a writer that is stuck")

    monkeypatch.setattr(ingest, "_wait", waited)
    second = new_session(2, NOW - timedelta(hours=1), 20)
    with pytest.raises(ServiceUnavailable) as raised:
        record(db, [second])
    assert raised.value.message == (
        "Another request for this user is still being credited; the session is stored, try again shortly"
    )
    assert raised.value.headers == {"Retry-After": "5"}
    assert db["codingsessions"].count_documents({"userId": USER}) == 2  # stored, credited once the lease is over
    assert_credited(db, [first])


def test_a_plan_that_fails_half_written_is_rebuilt_at_once(db: Database[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    first = new_session(1, NOW - timedelta(hours=3), 30)
    record(db, [first])
    second = new_session(2, NOW - timedelta(hours=2), 40)

    def half_written(*args: Any, **kwargs: Any) -> None:
        raise KeyError("nModified")  # what pymongo raises on FerretDB's reply to a failed update

    with monkeypatch.context() as patch:
        patch.setattr(boards, "apply_credit_by_user", half_written)
        assert record(db, [second]) == [True]  # the daily totals were written, the boards and the user not
    assert_credited(db, [first, second])


def test_the_sweep_rebuilds_a_user_whose_writer_died_and_drops_old_claims(db: Database[Any]) -> None:
    record(db, [new_session(1, NOW - timedelta(hours=3), 30)])
    version = users.find_credit_version_by_id(db, USER)
    assert version is not None
    creditclaims.insert_claim(db, user_id=USER, version=version + 1, now=datetime.now(UTC) - timedelta(minutes=5))
    creditclaims.insert_claim(db, user_id="someone-else", version=9, now=datetime.now(UTC) - timedelta(days=2))
    result = sweep_uncredited(db, since=NOW - timedelta(minutes=10), now=NOW, settings=config.settings())
    assert result == {"usersChecked": 1, "claimsRebuilt": 1}
    assert users.find_credit_version_by_id(db, USER) == version + 1
    assert creditclaims.find_claim(db, user_id="someone-else", version=9) is None
