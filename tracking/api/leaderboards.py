"""Leaderboards (the snapshot routes and rank history are tracking.api.snapshots)."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.api.auth import PUBLIC
from tracking.api.http import endpoint, json_response, read_query
from tracking.domain.languages import normalise_language
from tracking.domain.periods import TIMEFRAMES, Timeframe
from tracking.errors import BadRequest
from tracking.models import GrowthQuery, LeaderboardQuery
from tracking.store import leaderboards
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


@bp.function_name("leaderboard_top")
@bp.route(route="leaderboard", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC)
def leaderboard_top(req: func.HttpRequest) -> func.HttpResponse:
    top = leaderboards.read_top_all_time(get_db(), limit=TOP_LIMIT)
    return json_response([entry.model_dump() for entry in top])


@bp.function_name("leaderboard_growth")
@bp.route(route="leaderboard/growth", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC)
def leaderboard_growth(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, GrowthQuery)
    rows = leaderboards.read_growth(get_db(), period=query.period, limit=query.limit, now=datetime.now(UTC))
    return json_response([row.model_dump() for row in rows])


@bp.function_name("leaderboard")
@bp.route(route="leaderboard/{timeframe}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC)
def leaderboard(req: func.HttpRequest) -> func.HttpResponse:
    timeframe = _timeframe(req)
    query = read_query(req, LeaderboardQuery)
    if query.language:
        query = query.model_copy(update={"language": normalise_language(query.language)})
    view = leaderboards.read_board(
        get_db(), timeframe=timeframe, query=query, now=datetime.now(UTC), zone=config.settings().board_timezone
    )
    if _wants_envelope(req, query):
        return json_response(view)
    return json_response([entry.model_dump() for entry in view.entries])
