"""The ``jobruns`` collection: one document per run of a job.

A run is ``{name, trigger, startedAt, finishedAt, status, result, error}``, plus ``instanceId`` for a
Durable orchestration; ``status`` is ``running``, ``succeeded`` or ``failed``. The job name of a timer
is its function name, so that ``/api/admin/cron/status`` can put each timer's schedule next to its
last run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from tracking.store.client import indexes
from tracking.store.retries import upsert_retrying

COLLECTION = "jobruns"

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
ABANDONED = "Abandoned: the run never finished (its process stopped); a later run took over"


@indexes
def create_jobrun_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("name", ASCENDING), ("startedAt", DESCENDING)], name="name_1_startedAt_-1")


@dataclass(frozen=True)
class JobRun:
    name: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    result: Any
    error: str | None
    instance_id: str | None  # the Durable instance, for an orchestration's run


def _job_run(document: dict[str, Any]) -> JobRun:
    return JobRun(
        name=document["name"],
        trigger=document["trigger"],
        started_at=document["startedAt"],
        finished_at=document.get("finishedAt"),
        status=document["status"],
        result=document.get("result"),
        error=document.get("error"),
        instance_id=document.get("instanceId"),
    )


def start_run(
    db: Database[Any], *, name: str, trigger: str, started_at: datetime, instance_id: str | None = None
) -> str:
    """Record a run as started; with ``instance_id`` (a Durable instance) a repeated call finds the same run."""
    document = {"name": name, "trigger": trigger, "startedAt": started_at, "status": RUNNING}
    if instance_id is None:
        return str(
            db[COLLECTION].insert_one({**document, "finishedAt": None, "result": None, "error": None}).inserted_id
        )
    key = {"name": name, "instanceId": instance_id, "startedAt": started_at}
    upsert_retrying(
        db[COLLECTION],
        key,
        {"$setOnInsert": {"trigger": trigger, "status": RUNNING, "finishedAt": None, "result": None, "error": None}},
    )
    found = db[COLLECTION].find_one(key, {"_id": 1})
    assert found is not None
    return str(found["_id"])


def finish_run(
    db: Database[Any],
    run_id: str,
    *,
    finished_at: datetime,
    status: str,
    result: Any = None,
    error: str | None = None,
) -> None:
    db[COLLECTION].update_one(
        {"_id": ObjectId(run_id)},
        {"$set": {"finishedAt": finished_at, "status": status, "result": result, "error": error}},
    )


def abandon_runs_by_name_before(db: Database[Any], *, name: str, started_before: datetime, now: datetime) -> int:
    """Mark the job's runs still ``running`` since before ``started_before`` failed: their process died."""
    result = db[COLLECTION].update_many(
        {"name": name, "status": RUNNING, "startedAt": {"$lt": started_before}},
        {"$set": {"status": FAILED, "finishedAt": now, "error": ABANDONED}},
    )
    return result.modified_count


def find_last_run_by_name_and_status(db: Database[Any], *, name: str, status: str) -> JobRun | None:
    cursor = db[COLLECTION].find({"name": name, "status": status}, {"_id": 0}).sort("startedAt", DESCENDING).limit(1)
    document = next(iter(cursor), None)
    return None if document is None else _job_run(document)


def find_last_run_by_name(db: Database[Any], name: str) -> JobRun | None:
    cursor = db[COLLECTION].find({"name": name}, {"_id": 0}).sort("startedAt", DESCENDING).limit(1)
    document = next(iter(cursor), None)
    return None if document is None else _job_run(document)


def delete_job_runs_before(db: Database[Any], *, cutoff: datetime, dry_run: bool) -> int:
    """Delete the job runs started before ``cutoff``, except the latest run of each job name.

    The latest run stays however old, so the cron status still shows a last run for a job that has not
    run since. It is found with one sorted ``find_one`` per name, since FerretDB v1.24's ``$group`` has
    only ``$sum`` and ``$count``.
    """
    keep: list[Any] = []
    for name in db[COLLECTION].distinct("name"):
        # Served by the name_1_startedAt_-1 index.
        latest = db[COLLECTION].find_one({"name": name}, {"_id": 1}, sort=[("startedAt", DESCENDING)])
        assert latest is not None
        keep.append(latest["_id"])
    query = {"startedAt": {"$lt": cutoff}, "_id": {"$nin": keep}}
    if dry_run:
        return db[COLLECTION].count_documents(query)
    return db[COLLECTION].delete_many(query).deleted_count
