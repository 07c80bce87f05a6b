"""Leaderboards (the snapshot routes and rank history are tracking.api.snapshots)."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.api.auth import PUBLIC
from tracking.api.http import endpoint, json_response, read_query, read_timeframe
from tracking.models import (
    GrowthEntryPublic,
    GrowthQuery,
    LeaderboardEntryPublic,
    LeaderboardPublic,
    LeaderboardQuery,
    TopUserPublic,
)
from tracking.services import leaderboards
from tracking.services.leaderboards import RankedEntry
from tracking.store.client import get_db

bp = func.Blueprint()

TOP_LIMIT = 10


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
@endpoint(auth=PUBLIC, answers={200: list[TopUserPublic]})
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
@endpoint(auth=PUBLIC, answers={200: list[GrowthEntryPublic]}, query=GrowthQuery)
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
@endpoint(auth=PUBLIC, answers={200: list[LeaderboardEntryPublic] | LeaderboardPublic}, query=LeaderboardQuery)
def leaderboard(req: func.HttpRequest) -> func.HttpResponse:
    timeframe = read_timeframe(req)
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
