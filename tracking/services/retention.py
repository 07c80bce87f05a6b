"""The retention cleanup's use cases, one per activity: plan the batches, then delete and archive past each cut-off.

Each takes its cut-off and a dry-run switch and is idempotent (absolute cut-offs), so a retried
activity changes nothing more. Detailed sessions go only when their days are summed in dailytotals
(tracking.domain.retention.deletable_sessions); users are archived, never deleted; the latest run of each job stays;
the webhook log keeps pending deliveries whatever their age.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bson import ObjectId
from pymongo.database import Database

from tracking.config import Settings
from tracking.domain.days import days_overlapped
from tracking.domain.retention import batches, deletable_sessions
from tracking.services.ingest import relist_user
from tracking.store import (
    dailytotals,
    jobruns,
    sessions,
    snapshots,
    users,
    webhookattempts,
    webhookdeliveries,
    webhookevents,
)


def plan_cleanup(db: Database[Any], *, cutoff: datetime, batch_size: int) -> list[list[str]]:
    """The batches of users who have sessions that ended before ``cutoff``."""
    return batches(sessions.find_user_ids_with_sessions_ended_before(db, cutoff), batch_size)


def clean_sessions(db: Database[Any], *, user_ids: list[str], cutoff: datetime, dry_run: bool) -> dict[str, int]:
    """Delete the sessions of ``user_ids`` that ended before ``cutoff`` and whose days are summed in dailytotals.

    Returns ``aggregated`` (user-days whose daily totals hold the deleted time), ``deleted`` and
    ``unsummed`` (old sessions kept because a day they overlap has no daily total).
    """
    by_user: dict[str, dict[ObjectId, list[date]]] = {}
    for old in sessions.find_sessions_by_users_ended_before(db, user_ids=user_ids, cutoff=cutoff):
        by_user.setdefault(old.user_id, {})[old.id] = days_overlapped(old.start, old.end)
    counts = {"aggregated": 0, "deleted": 0, "unsummed": 0}
    for user_id, days_of in by_user.items():
        wanted = {day for days in days_of.values() for day in days}
        summed = dailytotals.find_summed_days_by_user(db, user_id=user_id, days=wanted)
        deletable = deletable_sessions(days_of, summed)
        counts["aggregated"] += len(deletable.days)
        counts["unsummed"] += len(days_of) - len(deletable.ids)
        counts["deleted"] += len(deletable.ids) if dry_run else sessions.delete_sessions_by_ids(db, deletable.ids)
    return counts


def clean_snapshots(db: Database[Any], *, timeframe: str, cutoff: datetime, dry_run: bool) -> int:
    return snapshots.delete_snapshots_before(db, timeframe=timeframe, cutoff=cutoff, dry_run=dry_run)


def archive_inactive_users(
    db: Database[Any], *, cutoff: datetime, now: datetime, dry_run: bool, settings: Settings
) -> int:
    """Archive the users inactive since ``cutoff``, then drop them from the boards (archived users are not listed)."""
    user_ids = users.archive_users_inactive_before(db, cutoff=cutoff, now=now, dry_run=dry_run)
    if not dry_run:
        for user_id in user_ids:
            relist_user(db, user_id=user_id, now=now, settings=settings)
    return len(user_ids)


def clean_job_runs(db: Database[Any], *, cutoff: datetime, dry_run: bool) -> int:
    return jobruns.delete_job_runs_before(db, cutoff=cutoff, dry_run=dry_run)


def clean_webhook_log(db: Database[Any], *, cutoff: datetime, dry_run: bool) -> dict[str, int]:
    """Delete the webhook attempts, finished deliveries and fanned-out events older than ``cutoff``."""
    return {
        "attempts": webhookattempts.delete_attempts_before(db, cutoff=cutoff, dry_run=dry_run),
        "deliveries": webhookdeliveries.delete_finished_before(db, cutoff=cutoff, dry_run=dry_run),
        "events": webhookevents.delete_events_before(db, cutoff=cutoff, dry_run=dry_run),
    }
