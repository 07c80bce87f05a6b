"""The boards repository against the development database: what is stored, and the reads in board order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.domain.credit import BoardChange, BoardTotal, RollingTotals
from tracking.domain.periods import ALL_TIME_KEY, ROLLING_KEY
from tracking.store import boards
from tracking.store.boards import BoardEntry

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
ADA, BOB, CY, DEE = "100000000000000001", "100000000000000002", "100000000000000003", "100000000000000004"
DAY, WEEK, MONTH = "2026-11-29", "2026-W48", "2026-11"


def stored(db: Database[Any]) -> dict[str, dict[str, Any]]:
    return {doc.pop("_id"): doc for doc in db["boards"].find()}


def test_credit_sets_totals_moves_week_and_month_by_their_change_and_sets_the_rolling_entries(
    db: Database[Any],
) -> None:
    rolling = RollingTotals({"last24h": 600.0, "last24h:python": 600.0}, NOW + timedelta(hours=23))
    boards.apply_credit_by_user(
        db,
        user_id=ADA,
        totals=[BoardTotal("day", DAY, 600.0), BoardTotal("allTime", ALL_TIME_KEY, 4200.0)],
        changes=[BoardChange("week", WEEK, 600.0), BoardChange("month:python", MONTH, 600.0)],
        rolling=rolling,
        now=NOW,
    )
    assert stored(db) == {
        f"day|{DAY}|{ADA}": {"board": "day", "key": DAY, "userId": ADA, "total": 600.0, "updatedAt": NOW},
        f"allTime|all|{ADA}": {"board": "allTime", "key": "all", "userId": ADA, "total": 4200.0, "updatedAt": NOW},
        f"week|{WEEK}|{ADA}": {"board": "week", "key": WEEK, "userId": ADA, "total": 600.0, "updatedAt": NOW},
        f"month:python|{MONTH}|{ADA}": {
            "board": "month:python",
            "key": MONTH,
            "userId": ADA,
            "total": 600.0,
            "updatedAt": NOW,
        },
        f"last24h|{ROLLING_KEY}|{ADA}": {
            "board": "last24h",
            "key": ROLLING_KEY,
            "userId": ADA,
            "total": 600.0,
            "updatedAt": NOW,
            "nextChangeAt": NOW + timedelta(hours=23),
        },
        f"last24h:python|{ROLLING_KEY}|{ADA}": {
            "board": "last24h:python",
            "key": ROLLING_KEY,
            "userId": ADA,
            "total": 600.0,
            "updatedAt": NOW,
            "nextChangeAt": NOW + timedelta(hours=23),
        },
    }

    # A second credit: set totals are replaced, week and month move by the change ($inc), a negative one too;
    # a rolling entry the new totals lack stays for the sweeper.
    boards.apply_credit_by_user(
        db,
        user_id=ADA,
        totals=[BoardTotal("day", DAY, 900.0)],
        changes=[BoardChange("week", WEEK, 300.0), BoardChange("month:python", MONTH, -100.0)],
        rolling=RollingTotals({"last24h": 900.0}, None),
        now=LATER,
    )
    after = stored(db)
    assert after[f"day|{DAY}|{ADA}"]["total"] == 900.0
    assert (after[f"week|{WEEK}|{ADA}"]["total"], after[f"week|{WEEK}|{ADA}"]["updatedAt"]) == (900.0, LATER)
    assert after[f"month:python|{MONTH}|{ADA}"]["total"] == 500.0
    assert after[f"allTime|all|{ADA}"]["total"] == 4200.0  # not in this credit: untouched
    assert after[f"last24h|{ROLLING_KEY}|{ADA}"]["total"] == 900.0
    assert after[f"last24h|{ROLLING_KEY}|{ADA}"]["nextChangeAt"] is None
    assert after[f"last24h:python|{ROLLING_KEY}|{ADA}"]["total"] == 600.0
    assert len(after) == 6


def test_credit_without_rolling_or_anything_writes_nothing_else(db: Database[Any]) -> None:
    boards.apply_credit_by_user(db, user_id=ADA, totals=[], changes=[], rolling=None, now=NOW)
    assert stored(db) == {}
    boards.apply_credit_by_user(
        db, user_id=ADA, totals=[], changes=[BoardChange("week", WEEK, 60.0)], rolling=None, now=NOW
    )
    assert list(stored(db)) == [f"week|{WEEK}|{ADA}"]


def test_replace_entries_keeps_exactly_the_given_totals_of_those_keys(db: Database[Any]) -> None:
    boards.set_totals_by_users(db, board="day", key=DAY, totals={ADA: 60.0, BOB: 70.0}, now=NOW)
    boards.set_totals_by_users(db, board="day:go", key=DAY, totals={ADA: 60.0}, now=NOW)
    boards.set_totals_by_users(db, board="day", key="2026-10-01", totals={ADA: 10.0}, now=NOW)  # a key not rebuilt
    boards.set_rolling_by_user(
        db, user_id=ADA, rolling=RollingTotals({"last24h": 60.0, "last24h:go": 60.0}, NOW), now=NOW
    )

    boards.replace_entries_by_user(
        db,
        user_id=ADA,
        keys=[DAY, WEEK, ROLLING_KEY],
        totals=[BoardTotal("day", DAY, 120.0), BoardTotal("week", WEEK, 120.0)],
        rolling=RollingTotals({"last24h": 120.0}, LATER),
        now=LATER,
    )
    assert sorted((doc["board"], doc["key"], doc["userId"], doc["total"]) for doc in stored(db).values()) == [
        ("day", "2026-10-01", ADA, 10.0),
        ("day", DAY, ADA, 120.0),
        ("day", DAY, BOB, 70.0),  # another user's entry is not the rebuild's
        ("last24h", ROLLING_KEY, ADA, 120.0),
        ("week", WEEK, ADA, 120.0),
    ]
    assert stored(db)[f"last24h|{ROLLING_KEY}|{ADA}"]["nextChangeAt"] == LATER


def test_rolling_entries_are_replaced_and_found_when_their_change_is_due(db: Database[Any]) -> None:
    boards.set_rolling_by_user(
        db, user_id=ADA, rolling=RollingTotals({"last24h": 60.0, "last24h:go": 60.0}, NOW), now=NOW
    )
    boards.set_rolling_by_user(db, user_id=BOB, rolling=RollingTotals({"last24h": 30.0}, LATER), now=NOW)
    boards.set_rolling_by_user(db, user_id=CY, rolling=RollingTotals({"last24h": 30.0}, None), now=NOW)
    assert boards.find_users_with_rolling_change_due(db, NOW - timedelta(milliseconds=1)) == []
    assert boards.find_users_with_rolling_change_due(db, NOW) == [ADA]
    assert boards.find_users_with_rolling_change_due(db, LATER) == [ADA, BOB]

    # The whole set: what the new totals lack goes.
    boards.set_rolling_by_user(db, user_id=ADA, rolling=RollingTotals({"last24h:go": 30.0}, LATER), now=LATER)
    assert [(doc["board"], doc["total"], doc["nextChangeAt"]) for doc in db["boards"].find({"userId": ADA})] == [
        ("last24h:go", 30.0, LATER)
    ]
    boards.set_rolling_by_user(db, user_id=ADA, rolling=RollingTotals({}, None), now=LATER)
    assert db["boards"].count_documents({"userId": ADA}) == 0


def test_delete_entries_by_user_removes_every_board_of_that_user_only(db: Database[Any]) -> None:
    boards.set_totals_by_users(db, board="allTime", key=ALL_TIME_KEY, totals={ADA: 1.0, BOB: 2.0}, now=NOW)
    boards.set_rolling_by_user(db, user_id=ADA, rolling=RollingTotals({"last24h": 1.0}, None), now=NOW)
    boards.delete_entries_by_user(db, ADA)
    assert list(stored(db)) == [f"allTime|all|{BOB}"]


def seed_board(db: Database[Any]) -> None:
    # Ties on 300 are ordered by userId; another board and another key are never read with this one.
    boards.set_totals_by_users(
        db, board="day", key=DAY, totals={DEE: 300.0, BOB: 300.0, CY: 100.0, ADA: 500.0}, now=NOW
    )
    boards.set_totals_by_users(db, board="day", key="2026-11-28", totals={ADA: 9999.0}, now=NOW)
    boards.set_totals_by_users(db, board="day:go", key=DAY, totals={CY: 9999.0}, now=NOW)


ORDER = [BoardEntry(ADA, 500.0), BoardEntry(BOB, 300.0), BoardEntry(DEE, 300.0), BoardEntry(CY, 100.0)]


def test_set_totals_by_users_writes_the_documents_a_credit_writes(db: Database[Any]) -> None:
    boards.set_totals_by_users(db, board="day", key=DAY, totals={ADA: 1.0}, now=NOW)
    boards.set_totals_by_users(db, board="day", key=DAY, totals={ADA: 2.0}, now=LATER)
    boards.set_totals_by_users(db, board="day", key=DAY, totals={}, now=LATER)
    assert stored(db) == {
        f"day|{DAY}|{ADA}": {"board": "day", "key": DAY, "userId": ADA, "total": 2.0, "updatedAt": LATER}
    }


def test_pages_are_in_board_order_total_descending_then_user_id(db: Database[Any]) -> None:
    seed_board(db)
    assert boards.find_page(db, board="day", key=DAY, offset=0, limit=10) == ORDER
    assert boards.find_page(db, board="day", key=DAY, offset=1, limit=2) == ORDER[1:3]
    assert boards.find_page(db, board="day", key="2026-11-01", offset=0, limit=10) == []
    assert list(boards.stream_board(db, board="day", key=DAY, batch_size=2)) == ORDER


def test_after_and_before_page_by_keyset_around_an_entry(db: Database[Any]) -> None:
    seed_board(db)
    assert boards.find_after(db, board="day", key=DAY, total=300.0, user_id=BOB, limit=5) == ORDER[2:]
    assert boards.find_after(db, board="day", key=DAY, total=300.0, user_id=BOB, limit=1) == [ORDER[2]]
    assert boards.find_after(db, board="day", key=DAY, total=100.0, user_id=CY, limit=5) == []
    assert boards.find_before(db, board="day", key=DAY, total=300.0, user_id=DEE, limit=5) == ORDER[:2]
    assert boards.find_before(db, board="day", key=DAY, total=100.0, user_id=CY, limit=2) == ORDER[1:3]
    assert boards.find_before(db, board="day", key=DAY, total=500.0, user_id=ADA, limit=5) == []


def test_an_entry_and_its_count_ahead(db: Database[Any]) -> None:
    seed_board(db)
    assert boards.find_entry(db, board="day", key=DAY, user_id=DEE) == BoardEntry(DEE, 300.0)
    assert boards.find_entry(db, board="day:go", key=DAY, user_id=DEE) is None
    ahead = {
        entry.user_id: boards.count_ahead(db, board="day", key=DAY, total=entry.total, user_id=entry.user_id)
        for entry in ORDER
    }
    assert ahead == {ADA: 0, BOB: 1, DEE: 2, CY: 3}
