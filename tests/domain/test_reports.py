from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracking.domain.reports import snapshot_overdue, snapshot_recency, statistics_periods, storage_warning

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def test_snapshot_is_overdue_one_hour_after_its_period() -> None:
    latest = {"day": NOW - timedelta(hours=25), "week": NOW - timedelta(hours=169, seconds=1)}
    report = snapshot_overdue(latest, NOW)
    assert report["day"] == {"status": "healthy", "lastSnapshot": latest["day"], "hoursSince": 25.0}
    assert report["week"]["status"] == "overdue"
    assert report["month"] == {"status": "missing", "lastSnapshot": None, "hoursSince": None}


def test_snapshot_recency_lookback() -> None:
    report = snapshot_recency({"day": NOW - timedelta(days=2), "allTime": NOW - timedelta(days=2, seconds=1)}, NOW)
    assert report["day"]["hasRecentSnapshot"] is True
    assert report["day"]["daysSinceLastSnapshot"] == 2
    assert report["allTime"]["hasRecentSnapshot"] is False


def test_storage_warning_only_past_the_threshold() -> None:
    assert storage_warning(100 * 1024 * 1024, 100) is None
    assert storage_warning(100 * 1024 * 1024 + 1, 100) == "The database uses 100.0 MB, more than STORAGE_WARN_MB=100"


def test_statistics_periods() -> None:
    assert statistics_periods(NOW) == {
        "today": datetime(2026, 11, 25, tzinfo=UTC),
        "thisWeek": datetime(2026, 11, 23, tzinfo=UTC),
        "thisMonth": datetime(2026, 11, 1, tzinfo=UTC),
    }
