"""The dailytotals repository against the development database: whole days stored, read back and removed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.domain.credit import DayTotal, LocalDay
from tracking.domain.intervals import Credit
from tracking.store import dailytotals

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)
ADA, BOB = "100000000000000001", "100000000000000002"
FIRST, SECOND, THIRD = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)
HOURS = tuple([0.0] * 22 + [1800.0, 600.0])


def day(on: date, seconds: float = 2400.0) -> DayTotal:
    # In New York the UTC day's last hours belong to the local day: its share is split into boardDays.
    return DayTotal(
        day=on,
        seconds=seconds,
        hours=HOURS,
        languages={"python": seconds},
        board_zone="America/New_York",
        board_days={on.isoformat(): Credit(seconds, {"python": seconds})},
        user_zone="Europe/Paris",
        user_days={(on + timedelta(days=1)).isoformat(): LocalDay(seconds, {"python": seconds}, 1, 0.0)},
    )


def test_a_day_is_stored_whole_with_its_board_days_and_board_zone(db: Database[Any]) -> None:
    dailytotals.set_days_by_user(db, user_id=ADA, totals=[day(SECOND)], now=NOW)
    [doc] = db["dailytotals"].find({}, {"_id": 0})
    assert doc == {
        "userId": ADA,
        "day": "2026-11-28",
        "date": datetime(2026, 11, 28, tzinfo=UTC),
        "seconds": 2400.0,
        "hours": list(HOURS),
        "languages": {"python": 2400.0},
        "boardZone": "America/New_York",
        "boardDays": {"2026-11-28": {"seconds": 2400.0, "languages": {"python": 2400.0}}},
        "userZone": "Europe/Paris",
        "userDays": {
            "2026-11-29": {"seconds": 2400.0, "languages": {"python": 2400.0}, "sessions": 1, "focusedSeconds": 0.0}
        },
        "updatedAt": NOW,
    }
    assert dailytotals.find_days_by_user(db, user_id=ADA, days=[SECOND, THIRD]) == {SECOND: day(SECOND)}


def test_a_day_is_replaced_whole_and_a_day_without_time_is_removed(db: Database[Any]) -> None:
    dailytotals.set_days_by_user(db, user_id=ADA, totals=[day(FIRST), day(SECOND)], now=NOW)
    replaced = DayTotal(SECOND, 60.0, tuple([60.0] + [0.0] * 23), {}, "UTC", {}, "UTC", {})
    dailytotals.set_days_by_user(db, user_id=ADA, totals=[replaced, day(FIRST, 0.0)], now=NOW)
    assert dailytotals.find_all_days_by_user(db, ADA) == [replaced]
    [doc] = db["dailytotals"].find({}, {"_id": 0, "boardDays": 1, "boardZone": 1, "languages": 1})
    assert doc == {"boardDays": {}, "boardZone": "UTC", "languages": {}}
    dailytotals.set_days_by_user(db, user_id=ADA, totals=[], now=NOW)  # nothing to write: no command
    assert db["dailytotals"].count_documents({}) == 1


def test_reads_are_per_user_and_the_whole_history_is_oldest_first(db: Database[Any]) -> None:
    dailytotals.set_days_by_user(db, user_id=ADA, totals=[day(THIRD), day(FIRST)], now=NOW)
    dailytotals.set_days_by_user(db, user_id=BOB, totals=[day(SECOND, 60.0)], now=NOW)
    assert [total.day for total in dailytotals.find_all_days_by_user(db, ADA)] == [FIRST, THIRD]
    assert dailytotals.find_all_days_by_user(db, "unknown") == []
    assert dailytotals.find_days_by_user(db, user_id=ADA, days=[SECOND]) == {}
    assert dailytotals.find_days_by_user(db, user_id=ADA, days=[]) == {}
    assert dailytotals.find_summed_days_by_user(db, user_id=ADA, days=[FIRST, SECOND, THIRD]) == {FIRST, THIRD}
    assert dailytotals.find_summed_days_by_user(db, user_id=BOB, days=[FIRST, SECOND]) == {SECOND}
    assert dailytotals.find_summed_days_by_user(db, user_id=ADA, days=[]) == set()


def test_hours_of_every_user_on_some_days(db: Database[Any]) -> None:
    dailytotals.set_days_by_user(db, user_id=ADA, totals=[day(FIRST), day(SECOND)], now=NOW)
    dailytotals.set_days_by_user(db, user_id=BOB, totals=[day(SECOND), day(THIRD)], now=NOW - timedelta(days=1))
    assert sorted(dailytotals.find_hours_by_days(db, [SECOND, THIRD])) == [
        (ADA, SECOND, list(HOURS)),
        (BOB, SECOND, list(HOURS)),
        (BOB, THIRD, list(HOURS)),
    ]
