"""Leaderboards, snapshots and rank history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import azure.functions as func

from tracking import config
from tracking.api.auth import ADMIN, PUBLIC
from tracking.api.http import endpoint, json_response, read_json, read_query
from tracking.domain.periods import TIMEFRAMES, Timeframe
from tracking.errors import AppError, BadRequest
from tracking.models import (
    GrowthEntryPublic,
    GrowthQuery,
    HistoryEntryPublic,
    HistoryQuery,
    LeaderboardEntryPublic,
    LeaderboardPublic,
    LeaderboardQuery,
    SnapshotCreate,
    SnapshotPublic,
    TopUserPublic,
)
from tracking.services import leaderboards
from tracking.services.leaderboards import RankedEntry
from tracking.store import snapshots
from tracking.store.client import get_db

bp = func.Blueprint()

TOP_LIMIT = 10


def _timeframe(req: func.HttpRequest) -> Timeframe:
    timeframe = req.route_params.get("timeframe", "")
    if timeframe not in TIMEFRAMES:
        raise BadRequest(f"Invalid timeframe. Must be one of: {', '.join(TIMEFRAMES)}")
    return timeframe


def _wants_envelope(req: func.HttpRequest, query: LeaderboardQuery) -> bool:
    accept = req.headers.get("Accept") or ""
    return query.envelope or "application/vnd.distrack.leaderboard+json" in accept


def _entry(entry: RankedEntry) -> LeaderboardEntryPublic:
    return LeaderboardEntryPublic(
        userId=entry.user_id,
        username=entry.username,
        displayName=entry.display_name,
        rank=entry.rank,
        totalTime=entry.total_seconds,
        rankDelta=entry.rank_delta,
        previousRank=entry.previous_rank,
    )


@bp.function_name("leaderboard_top")
@bp.route(route="leaderboard", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC)
def leaderboard_top(req: func.HttpRequest) -> func.HttpResponse:
    top = leaderboards.read_top_all_time(get_db(), limit=TOP_LIMIT)
    return json_response(
        [
            TopUserPublic(
                username=user.username,
                displayName=user.display_name,
                totalCodingTime=user.total_seconds,
                userId=user.user_id,
            ).model_dump()
            for user in top
        ]
    )


@bp.function_name("leaderboard_growth")
@bp.route(route="leaderboard/growth", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC)
def leaderboard_growth(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, GrowthQuery)
    rows = leaderboards.read_growth(get_db(), period=query.period, limit=query.limit, now=datetime.now(UTC))
    return json_response(
        [
            GrowthEntryPublic(
                userId=row.user_id,
                name=row.name,
                avatarUrl=row.avatar_url,
                deltaHours=row.delta_hours,
                totalHours=row.total_hours,
            ).model_dump()
            for row in rows
        ]
    )


@bp.function_name("leaderboard")
@bp.route(route="leaderboard/{timeframe}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC)
def leaderboard(req: func.HttpRequest) -> func.HttpResponse:
    timeframe = _timeframe(req)
    query = read_query(req, LeaderboardQuery)
    view = leaderboards.read_board(
        get_db(),
        timeframe=timeframe,
        language=query.language,
        limit=query.limit,
        page=query.page,
        cursor=query.cursor,
        user_id=query.userId,
        now=datetime.now(UTC),
        zone=config.settings().board_timezone,
    )
    entries = [_entry(entry) for entry in view.entries]
    if not _wants_envelope(req, query):
        return json_response([entry.model_dump() for entry in entries])
    return json_response(
        LeaderboardPublic(
            timeframe=view.timeframe,
            periodKey=view.period_key,
            language=view.language,
            start=view.start,
            end=view.end,
            timezone=view.timezone,
            generatedAt=view.generated_at,
            entries=entries,
            me=_entry(view.me) if view.me else None,
            neighbours=[_entry(entry) for entry in view.neighbours],
            nextCursor=view.next_cursor,
        )
    )


def _snapshot(timeframe: Timeframe, body: SnapshotCreate) -> SnapshotPublic:
    result = snapshots.take_snapshot(
        get_db(),
        timeframe=timeframe,
        now=datetime.now(UTC),
        zone=config.settings().board_timezone,
        period_key=body.periodKey,
    )
    return SnapshotPublic(
        success=True,
        message=f"Successfully created {result.count} snapshot records for {timeframe}",
        snapshotCount=result.count,
        periodKey=result.period_key,
    )


@bp.function_name("snapshot_take")
@bp.route(route="snapshot/{timeframe}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def snapshot_take(req: func.HttpRequest) -> func.HttpResponse:
    timeframe = _timeframe(req)
    return json_response(_snapshot(timeframe, read_json(req, SnapshotCreate, optional=True)))


@bp.function_name("snapshot_take_all")
@bp.route(route="snapshots/all", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def snapshot_take_all(req: func.HttpRequest) -> func.HttpResponse:
    read_json(req, SnapshotCreate, optional=True)
    results: dict[str, Any] = {}
    taken = 0
    for timeframe in TIMEFRAMES:
        try:
            results[timeframe] = _snapshot(timeframe, SnapshotCreate()).model_dump()
            taken += 1
        except AppError as error:
            results[timeframe] = {"success": False, "message": error.message}
    message = f"Successfully took {taken}/{len(TIMEFRAMES)} snapshots"
    return json_response({"message": message, "results": results}, 200 if taken else 409)


@bp.function_name("rank_history")
@bp.route(route="user/{userId}/history/{timeframe}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC)
def rank_history(req: func.HttpRequest) -> func.HttpResponse:
    timeframe = _timeframe(req)
    query = read_query(req, HistoryQuery)
    rows = snapshots.find_history_by_user(
        get_db(), user_id=req.route_params["userId"], timeframe=timeframe, limit=query.limit
    )
    return json_response([HistoryEntryPublic.model_validate(row).model_dump(mode="json") for row in rows])
