from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracking.domain.days import days_overlapped
from tracking.domain.retention import (
    Cutoffs,
    RetentionPolicy,
    batches,
    cleanup_instance_id,
    cutoffs,
    deletable_sessions,
    iso_week_key,
    latest_occurrence,
    next_occurrence,
)

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)  # a Sunday, 02:00:00.25 UTC


def test_default_cutoffs_are_exactly_the_policy_periods_before_now() -> None:
    got = cutoffs(RetentionPolicy(), NOW)
    assert got.sessions == datetime(2026, 8, 31, 2, 0, 0, 250_000, tzinfo=UTC)  # 90 days
    assert got.snapshots == {
        "day": datetime(2026, 10, 30, 2, 0, 0, 250_000, tzinfo=UTC),  # 30 days
        "week": datetime(2026, 6, 2, 2, 0, 0, 250_000, tzinfo=UTC),  # 180 days
        "month": datetime(2024, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC),  # 730 days
        "last24h": datetime(2026, 10, 30, 2, 0, 0, 250_000, tzinfo=UTC),  # as long as the daily ones
    }
    assert "allTime" not in got.snapshots  # kept forever
    assert got.inactive_users == datetime(2025, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)  # 365 days
    assert got.job_runs == datetime(2026, 10, 30, 2, 0, 0, 250_000, tzinfo=UTC)  # 30 days


def test_job_runs_cutoff_is_exactly_the_configured_days_before_now() -> None:
    # To the microsecond: the store keeps a run started at this instant and deletes one started before it.
    got = cutoffs(RetentionPolicy(job_runs_days=7), NOW)
    assert got.job_runs == datetime(2026, 11, 22, 2, 0, 0, 250_000, tzinfo=UTC)
    with pytest.raises(ValueError, match="job_runs_days must be a positive number of days"):
        RetentionPolicy(job_runs_days=0)


def test_cutoffs_follow_the_configured_periods() -> None:
    policy = RetentionPolicy(
        session_days=1, day_snapshot_days=2, week_snapshot_days=3, month_snapshot_days=4, inactive_user_days=5
    )
    got = cutoffs(policy, NOW)
    assert got.sessions == datetime(2026, 11, 28, 2, 0, 0, 250_000, tzinfo=UTC)
    assert got.snapshots["day"] == datetime(2026, 11, 27, 2, 0, 0, 250_000, tzinfo=UTC)
    assert got.snapshots["week"] == datetime(2026, 11, 26, 2, 0, 0, 250_000, tzinfo=UTC)
    assert got.snapshots["month"] == datetime(2026, 11, 25, 2, 0, 0, 250_000, tzinfo=UTC)
    assert got.inactive_users == datetime(2026, 11, 24, 2, 0, 0, 250_000, tzinfo=UTC)


def test_a_period_must_be_positive() -> None:
    with pytest.raises(ValueError, match="session_days must be a positive number of days"):
        RetentionPolicy(session_days=0)


def test_cutoffs_survive_the_json_round_trip_of_a_durable_payload() -> None:
    original = cutoffs(RetentionPolicy(), NOW)
    assert Cutoffs.from_json(original.to_json()) == original


def test_the_utc_days_a_session_overlaps_are_the_days_it_has_time_in() -> None:
    start = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    assert days_overlapped(start, datetime(2026, 11, 2, 0, 30, tzinfo=UTC)) == [date(2026, 11, 1), date(2026, 11, 2)]
    # Ending exactly at midnight adds no day.
    assert days_overlapped(start, datetime(2026, 11, 2, tzinfo=UTC)) == [date(2026, 11, 1)]


def test_a_session_is_deletable_only_when_every_day_it_overlaps_is_summed() -> None:
    first, second, third = date(2026, 8, 1), date(2026, 8, 2), date(2026, 8, 3)
    days_of = {"one-day": [first], "two-days": [first, second], "unsummed": [second, third], "also-first": [first]}
    got = deletable_sessions(days_of, {first, second})
    assert got.ids == ["one-day", "two-days", "also-first"]
    assert got.days == {first, second}  # each summed day counted once, whatever the number of sessions
    nothing = deletable_sessions(days_of, set())
    assert (nothing.ids, nothing.days) == ([], set())


def test_iso_week_key_and_instance_id() -> None:
    assert iso_week_key(NOW) == "2026-W48"  # Sunday belongs to the week that began on Monday
    assert iso_week_key(datetime(2026, 11, 30, tzinfo=UTC)) == "2026-W49"
    assert iso_week_key(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"
    assert cleanup_instance_id("2026-W48", dry_run=False) == "cleanup-2026-W48"
    assert cleanup_instance_id("2026-W48", dry_run=True) == "cleanup-2026-W48-dry-run"


def test_a_late_or_early_run_counts_for_its_own_occurrence() -> None:
    weekly = "0 0 2 * * Sun"
    sunday = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert latest_occurrence(weekly, sunday) == sunday
    assert latest_occurrence(weekly, datetime(2026, 11, 29, 1, 59, 30, tzinfo=UTC)) == sunday  # fired early
    late = latest_occurrence(weekly, datetime(2026, 11, 30, 0, 30, tzinfo=UTC))  # Monday, next ISO week
    assert late == sunday
    assert iso_week_key(late) == "2026-W48"


def test_next_occurrence() -> None:
    assert next_occurrence("0 0 2 * * Sun", NOW) == datetime(2026, 12, 6, 2, tzinfo=UTC)
    assert next_occurrence("0 30 * * * *", NOW) == datetime(2026, 11, 29, 2, 30, tzinfo=UTC)


def test_batches() -> None:
    assert batches(["a", "b", "c", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert batches([], 3) == []
    with pytest.raises(ValueError):
        batches(["a"], 0)
