"""Leaderboard snapshots (admin) and a user's rank history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import azure.functions as func

from tracking import config
from tracking.api.auth import ADMIN, PUBLIC, current_caller
from tracking.api.http import endpoint, json_response, read_json, read_query, read_timeframe
from tracking.domain.periods import TIMEFRAMES
from tracking.models import HistoryEntryPublic, HistoryQuery, SnapshotCreate, SnapshotPublic
from tracking.services import snapshots
from tracking.services.snapshots import SnapshotResult
from tracking.store.client import get_db

bp = func.Blueprint()


def _snapshot_public(result: SnapshotResult) -> SnapshotPublic:
    return SnapshotPublic(
        success=True,
        message=f"Successfully created {result.count} snapshot records for {result.timeframe}",
        snapshotCount=result.count,
        periodKey=result.period_key,
    )


@bp.function_name("snapshot_take")
@bp.route(route="snapshot/{timeframe}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: SnapshotPublic}, body=SnapshotCreate, errors=(409,))
def snapshot_take(req: func.HttpRequest) -> func.HttpResponse:
    timeframe = read_timeframe(req)
    body = read_json(req, SnapshotCreate, optional=True)
    result = snapshots.take_snapshot(
        get_db(),
        timeframe=timeframe,
        now=datetime.now(UTC),
        zone=config.settings().board_timezone,
        period_key=body.periodKey,
    )
    return json_response(_snapshot_public(result))


@bp.function_name("snapshot_take_all")
@bp.route(route="snapshots/all", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any], 409: dict[str, Any]}, body=SnapshotCreate)
def snapshot_take_all(req: func.HttpRequest) -> func.HttpResponse:
    read_json(req, SnapshotCreate, optional=True)
    outcomes = snapshots.take_current_snapshots(
        get_db(), timeframes=TIMEFRAMES, now=datetime.now(UTC), zone=config.settings().board_timezone
    )
    results: dict[str, Any] = {
        outcome.timeframe: (
            _snapshot_public(outcome.taken).model_dump()
            if outcome.taken
            else {"success": False, "message": outcome.refused}
        )
        for outcome in outcomes
    }
    taken = sum(1 for outcome in outcomes if outcome.taken)
    message = f"Successfully took {taken}/{len(TIMEFRAMES)} snapshots"
    return json_response({"message": message, "results": results}, 200 if taken else 409)


@bp.function_name("rank_history")
@bp.route(route="user/{userId}/history/{timeframe}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: list[HistoryEntryPublic]}, query=HistoryQuery)
def rank_history(req: func.HttpRequest) -> func.HttpResponse:
    timeframe = read_timeframe(req)
    query = read_query(req, HistoryQuery)
    entries = snapshots.rank_history(
        get_db(), user_id=req.route_params["userId"], timeframe=timeframe, limit=query.limit, caller=current_caller()
    )
    return json_response(
        [
            HistoryEntryPublic(
                timestamp=entry.timestamp, periodKey=entry.period_key, rank=entry.rank, totalTime=entry.total_time
            ).model_dump(mode="json")
            for entry in entries
        ]
    )
