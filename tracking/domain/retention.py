"""Retention rules: what the weekly cleanup deletes or archives, computed from ``now`` and the policy.

Every cut-off is an instant: data strictly older than it goes, data at or after it stays. Deleting by
an absolute cut-off (never "since the last run") is what makes a double or late run harmless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Generic, TypeVar

from croniter import croniter

# Snapshot timeframes the cleanup prunes; all-time snapshots are kept forever. The hourly snapshots
# of the rolling last-24-hours board are kept as long as the daily ones.
PRUNED_TIMEFRAMES = ("day", "week", "month", "last24h")

Key = TypeVar("Key")


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind of data is kept (app settings RETENTION_*)."""

    session_days: int = 90
    day_snapshot_days: int = 30
    week_snapshot_days: int = 180
    month_snapshot_days: int = 730
    inactive_user_days: int = 365
    job_runs_days: int = 30
    webhook_deliveries_days: int = 30

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value <= 0:
                raise ValueError(f"{name} must be a positive number of days")


@dataclass(frozen=True)
class Cutoffs:
    """Instants before which data is deleted (sessions, snapshots, job runs, the webhook log) or its user archived."""

    sessions: datetime
    snapshots: dict[str, datetime]
    inactive_users: datetime
    job_runs: datetime
    webhook_deliveries: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "sessions": self.sessions.isoformat(),
            "snapshots": {timeframe: cutoff.isoformat() for timeframe, cutoff in self.snapshots.items()},
            "inactiveUsers": self.inactive_users.isoformat(),
            "jobRuns": self.job_runs.isoformat(),
            "webhookDeliveries": self.webhook_deliveries.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Cutoffs:
        snapshots = data["snapshots"]
        assert isinstance(snapshots, dict)
        return cls(
            sessions=datetime.fromisoformat(str(data["sessions"])),
            snapshots={timeframe: datetime.fromisoformat(str(cutoff)) for timeframe, cutoff in snapshots.items()},
            inactive_users=datetime.fromisoformat(str(data["inactiveUsers"])),
            job_runs=datetime.fromisoformat(str(data["jobRuns"])),
            webhook_deliveries=datetime.fromisoformat(str(data["webhookDeliveries"])),
        )


def cutoffs(policy: RetentionPolicy, now: datetime) -> Cutoffs:
    return Cutoffs(
        sessions=now - timedelta(days=policy.session_days),
        snapshots={
            "day": now - timedelta(days=policy.day_snapshot_days),
            "week": now - timedelta(days=policy.week_snapshot_days),
            "month": now - timedelta(days=policy.month_snapshot_days),
            "last24h": now - timedelta(days=policy.day_snapshot_days),
        },
        inactive_users=now - timedelta(days=policy.inactive_user_days),
        job_runs=now - timedelta(days=policy.job_runs_days),
        webhook_deliveries=now - timedelta(days=policy.webhook_deliveries_days),
    )


@dataclass(frozen=True)
class Deletable(Generic[Key]):
    """The old sessions the cleanup may delete, and the UTC days whose daily totals hold their time."""

    ids: list[Key]
    days: set[date]


def deletable_sessions(days_of: Mapping[Key, Sequence[date]], summed: AbstractSet[date]) -> Deletable[Key]:
    """A session may go when every UTC day it overlaps (``days_of``) has its daily total (``summed``).

    Totals, streaks, languages and history read the daily totals, so deleting such a session loses no time.
    """
    ids = [key for key, days in days_of.items() if all(day in summed for day in days)]
    return Deletable(ids, {day for key in ids for day in days_of[key]})


def iso_week_key(instant: datetime) -> str:
    year, week, _ = instant.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def latest_occurrence(schedule: str, now: datetime) -> datetime:
    """The latest occurrence of a six-field NCRONTAB schedule at or shortly before ``now``.

    A minute of slack counts a timer that fires a little early as its own occurrence.
    """
    base = now.astimezone(UTC) + timedelta(minutes=1)
    occurrence: datetime = croniter(schedule, base, second_at_beginning=True).get_prev(datetime)
    return occurrence


def next_occurrence(schedule: str, now: datetime) -> datetime:
    occurrence: datetime = croniter(schedule, now.astimezone(UTC), second_at_beginning=True).get_next(datetime)
    return occurrence


def cleanup_instance_id(week_key: str, *, dry_run: bool) -> str:
    """One cleanup per ISO week: a second start in the same week finds this id instead of starting another."""
    return f"cleanup-{week_key}" + ("-dry-run" if dry_run else "")


def batches(items: Sequence[str], size: int) -> list[list[str]]:
    if size <= 0:
        raise ValueError("batch size must be positive")
    return [list(items[start : start + size]) for start in range(0, len(items), size)]
