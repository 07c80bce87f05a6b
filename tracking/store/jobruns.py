"""The ``jobruns`` collection: one document per run of a job, and ``run_job`` that records one.

A run is ``{name, trigger, startedAt, finishedAt, status, result, error}``; ``status`` is ``running``,
``succeeded`` or ``failed``. The job name of a timer is its function name, so that
``/api/admin/cron/status`` can put each timer's schedule next to its last run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from tracking.store.client import get_db, indexes

COLLECTION = "jobruns"

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"

T = TypeVar("T")


@indexes
def create_jobrun_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index([("name", ASCENDING), ("startedAt", DESCENDING)], name="name_1_startedAt_-1")


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
    db[COLLECTION].update_one(
        key,
        {"$setOnInsert": {"trigger": trigger, "status": RUNNING, "finishedAt": None, "result": None, "error": None}},
        upsert=True,
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


def start_orchestration_run(db: Database[Any], *, name: str, trigger: str, run: dict[str, Any]) -> str:
    """Start the run an orchestration reports as ``{"startedAt", "instanceId"}``; a replay finds the same run."""
    return start_run(
        db,
        name=name,
        trigger=trigger,
        started_at=datetime.fromisoformat(run["startedAt"]),
        instance_id=run["instanceId"],
    )


def finish_orchestration_run(db: Database[Any], run: dict[str, Any]) -> None:
    """Finish the run an orchestration reports as ``{"runId", "status", "result", "error"}``."""
    finish_run(
        db, run["runId"], finished_at=datetime.now(UTC), status=run["status"], result=run["result"], error=run["error"]
    )


def run_job(name: str, trigger: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` as job ``name``, recording start, finish, status and result or error; errors re-raise.

    ``fn`` returns plain JSON-like data (it is stored as the run's ``result``).
    """
    db = get_db()
    run_id = start_run(db, name=name, trigger=trigger, started_at=datetime.now(UTC))
    try:
        result = fn()
    except Exception as error:
        finish_run(db, run_id, finished_at=datetime.now(UTC), status=FAILED, error=f"{type(error).__name__}: {error}")
        raise
    finish_run(db, run_id, finished_at=datetime.now(UTC), status=SUCCEEDED, result=result)
    return result


def find_last_run_by_name(db: Database[Any], name: str) -> dict[str, Any] | None:
    cursor = db[COLLECTION].find({"name": name}, {"_id": 0}).sort("startedAt", DESCENDING).limit(1)
    return next(iter(cursor), None)
