"""The boards rebuild's activities and starter against the development database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.durable import StandInClient
from tests.utils.replaced_server import insert_replaced_user
from tracking.domain.periods import ALL_TIME_KEY
from tracking.jobs import rebuild
from tracking.store import boards

NOW = datetime(2026, 11, 29, 2, 0, 0, 250_000, tzinfo=UTC)
ADA, BOB, CY = "100000000000000001", "100000000000000002", "100000000000000003"


def activity(name: str) -> Any:
    return getattr(rebuild, name).build().get_user_function()


def insert_legacy_user(db: Database[Any], user_id: str, seconds: float, *, public: bool = True) -> None:
    """A user of the replaced server: totals in the user document, no daily totals, no boards."""
    insert_replaced_user(db, user_id, isPublic=public, totalCodingTime=seconds, languages={"python": seconds})


def all_time(db: Database[Any]) -> dict[str, float]:
    return {doc["_id"]: doc["total"] for doc in db["boards"].find({"key": "all"})}


def test_batches_give_legacy_users_their_all_time_entries(db: Database[Any]) -> None:
    insert_legacy_user(db, BOB, 7200.0)
    insert_legacy_user(db, ADA, 3600.0)
    insert_legacy_user(db, CY, 1800.0, public=False)
    # A private user's stale entry goes.
    boards.set_totals_by_users(db, board="allTime", key=ALL_TIME_KEY, totals={CY: 1.0}, now=NOW)

    batch = activity("rebuild_boards_batch")
    first = batch({"after": None, "size": 2, "now": NOW.isoformat()})
    assert first == {"next": BOB, "count": 2}
    assert batch({"after": BOB, "size": 2, "now": NOW.isoformat()}) == {"next": None, "count": 1}

    assert all_time(db) == {
        f"allTime|all|{ADA}": 3600.0,
        f"allTime:python|all|{ADA}": 3600.0,
        f"allTime|all|{BOB}": 7200.0,
        f"allTime:python|all|{BOB}": 7200.0,
    }
    assert db["boards"].count_documents({"userId": CY}) == 0


def test_a_full_last_batch_is_followed_by_an_empty_one(db: Database[Any]) -> None:
    insert_legacy_user(db, ADA, 60.0)
    batch = activity("rebuild_boards_batch")
    assert batch({"after": None, "size": 1, "now": NOW.isoformat()}) == {"next": ADA, "count": 1}
    assert batch({"after": ADA, "size": 1, "now": NOW.isoformat()}) == {"next": None, "count": 0}


def test_begin_and_finish_record_the_run(db: Database[Any]) -> None:
    run = {"instanceId": "rebuild-boards-2026-11-29", "startedAt": NOW.isoformat()}
    run_id = activity("rebuild_boards_begin")(run)
    # A retried begin finds the same run.
    assert activity("rebuild_boards_begin")(run) == run_id
    activity("rebuild_boards_finish")({"runId": run_id, "status": "succeeded", "error": None, "result": {"users": 3}})
    runs = list(db["jobruns"].find({}))
    assert [(r["name"], r["instanceId"], r["trigger"], r["status"], r["result"]) for r in runs] == [
        ("rebuild_boards", "rebuild-boards-2026-11-29", "admin", "succeeded", {"users": 3})
    ]
    assert runs[0]["startedAt"] == NOW
    assert runs[0]["finishedAt"] is not None


@pytest.mark.parametrize("status", ["Pending", "Running", "Completed"])
def test_a_second_start_the_same_day_finds_the_instance(status: str) -> None:
    client = StandInClient(status)
    got = asyncio.run(rebuild.start_rebuild(client, now=NOW))
    assert got == ("rebuild-boards-2026-11-29", status, False)
    assert client.asked == ["rebuild-boards-2026-11-29"]
    assert client.started == []


@pytest.mark.parametrize("status", [None, "Failed", "Terminated"])
def test_a_new_failed_or_terminated_day_starts(status: str | None) -> None:
    client = StandInClient(status)
    got = asyncio.run(rebuild.start_rebuild(client, now=NOW))
    assert got == ("rebuild-boards-2026-11-29", "Pending", True)
    assert client.started == [("rebuild_boards_orchestrator", "rebuild-boards-2026-11-29", None)]
