"""The retention cleanup's use cases, one per activity: plan the batches, then delete and archive past each cut-off.

Each takes its cut-off and a dry-run switch and is idempotent (absolute cut-offs), so a retried
activity changes nothing more. Detailed sessions go only when their days are summed in dailytotals
(tracking.store.retention); users are archived, never deleted; the latest run of each job stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.config import Settings
from tracking.domain.retention import batches
from tracking.services.ingest import relist_user
from tracking.store import jobruns, retention, snapshots


def plan_cleanup(db: Database[Any], *, cutoff: datetime, batch_size: int) -> list[list[str]]:
    """The batches of users who have sessions that ended before ``cutoff``."""
    return batches(retention.find_user_ids_with_sessions_before(db, cutoff), batch_size)


def clean_sessions(db: Database[Any], *, user_ids: list[str], cutoff: datetime, dry_run: bool) -> dict[str, int]:
    return retention.delete_sessions_by_users_before(db, user_ids=user_ids, cutoff=cutoff, dry_run=dry_run)


def clean_snapshots(db: Database[Any], *, timeframe: str, cutoff: datetime, dry_run: bool) -> int:
    return snapshots.delete_snapshots_before(db, timeframe=timeframe, cutoff=cutoff, dry_run=dry_run)


def archive_inactive_users(
    db: Database[Any], *, cutoff: datetime, now: datetime, dry_run: bool, settings: Settings
) -> int:
    """Archive the users inactive since ``cutoff``, then drop them from the boards (archived users are not listed)."""
    user_ids = retention.archive_users_inactive_before(db, cutoff=cutoff, now=now, dry_run=dry_run)
    if not dry_run:
        for user_id in user_ids:
            relist_user(db, user_id=user_id, now=now, settings=settings)
    return len(user_ids)


def clean_job_runs(db: Database[Any], *, cutoff: datetime, dry_run: bool) -> int:
    return jobruns.delete_job_runs_before(db, cutoff=cutoff, dry_run=dry_run)
