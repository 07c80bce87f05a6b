"""Rules of the admin reports: when a snapshot is overdue, when storage is too large, the periods of the statistics."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

# A snapshot counts as recent within this many days (the replaced server's /admin/snapshot/health).
SNAPSHOT_LOOKBACK_DAYS = {"day": 2, "week": 8, "month": 32, "allTime": 2}
# Hours after which the latest snapshot is overdue: one period plus an hour of slack.
SNAPSHOT_OVERDUE_HOURS = {"day": 25, "week": 169, "month": 768, "allTime": 25}
# A health-check query slower than this is reported as slow.
SLOW_QUERY_MS = 1000.0


def snapshot_recency(latest: dict[str, datetime], now: datetime) -> dict[str, dict[str, Any]]:
    """Per timeframe: whether a snapshot was taken within its lookback, when, and how many days ago."""
    report: dict[str, dict[str, Any]] = {}
    for timeframe, lookback_days in SNAPSHOT_LOOKBACK_DAYS.items():
        last = latest.get(timeframe)
        report[timeframe] = {
            "hasRecentSnapshot": last is not None and now - last <= timedelta(days=lookback_days),
            "lastSnapshotDate": last,
            "daysSinceLastSnapshot": None if last is None else (now - last) // timedelta(days=1),
        }
    return report


def snapshot_overdue(latest: dict[str, datetime], now: datetime) -> dict[str, dict[str, Any]]:
    """Per timeframe: ``healthy``, ``overdue`` (older than its threshold) or ``missing`` (never taken)."""
    report: dict[str, dict[str, Any]] = {}
    for timeframe, hours in SNAPSHOT_OVERDUE_HOURS.items():
        last = latest.get(timeframe)
        if last is None:
            report[timeframe] = {"status": "missing", "lastSnapshot": None, "hoursSince": None}
            continue
        since = (now - last) / timedelta(hours=1)
        status = "overdue" if since > hours else "healthy"
        report[timeframe] = {"status": status, "lastSnapshot": last, "hoursSince": round(since, 1)}
    return report


def storage_warning(size_bytes: int, warn_mb: int) -> str | None:
    size_mb = size_bytes / (1024 * 1024)
    if size_mb <= warn_mb:
        return None
    return f"The database uses {size_mb:.1f} MB, more than STORAGE_WARN_MB={warn_mb}"


def statistics_periods(now: datetime) -> dict[str, datetime]:
    """Starts of the UTC day, ISO week (Monday) and month containing ``now`` (``now`` in UTC)."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"today": day, "thisWeek": day - timedelta(days=day.weekday()), "thisMonth": day.replace(day=1)}
