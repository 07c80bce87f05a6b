"""Live: heartbeats of who is coding now, the live state and boards, and the live board page that polls them.

The page (``GET /board``) and its script and style are files of ``tracking/api/static``, served as they are:
no build step, nothing from another site (its Content-Security-Policy allows only this origin).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import azure.functions as func

from tracking import config
from tracking.api.auth import INGEST, PUBLIC, current_caller, require_acts_for
from tracking.api.contract import Media
from tracking.api.http import conditional_json_response, endpoint, json_response, read_json, read_query
from tracking.domain.presence import Heartbeat
from tracking.models import (
    CodingNowPublic,
    LiveBoardEntryPublic,
    LiveBoardPublic,
    LivePublic,
    LiveQuery,
    PresenceHeartbeatCreate,
    PresenceRecordedPublic,
)
from tracking.services import presence
from tracking.services.presence import LiveBoard
from tracking.store.client import get_db

bp = func.Blueprint()

STATIC = Path(__file__).resolve().parent / "static"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@functools.cache
def _asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def _asset_response(name: str, mimetype: str) -> func.HttpResponse:
    return func.HttpResponse(_asset(name), status_code=200, mimetype=mimetype, charset="utf-8", headers=PAGE_HEADERS)


@bp.function_name("presence_heartbeat")
@bp.route(route="heartbeat", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=INGEST, answers={200: PresenceRecordedPublic}, body=PresenceHeartbeatCreate, errors=(429,))
def presence_heartbeat(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, PresenceHeartbeatCreate)
    require_acts_for(current_caller(), body.userId)
    settings = config.settings()
    recorded = presence.record_heartbeat(
        get_db(),
        user_id=body.userId,
        at=body.at,
        said=Heartbeat(language=body.language, editor=body.editor, project=body.project, session_id=body.sessionId),
        now=datetime.now(UTC),
        ttl=timedelta(seconds=settings.presence_ttl_seconds),
        min_gap=timedelta(seconds=settings.heartbeat_min_gap_seconds),
    )
    return json_response(PresenceRecordedPublic(userId=recorded.user_id, at=recorded.at, liveUntil=recorded.live_until))


@bp.function_name("live_state")
@bp.route(route="live", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: LivePublic | LiveBoardPublic, 304: None}, query=LiveQuery)
def live_state(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, LiveQuery)
    now, settings = datetime.now(UTC), config.settings()
    ttl = timedelta(seconds=settings.presence_ttl_seconds)
    zone = settings.board_timezone
    live = presence.read_live(get_db(), board=query.board, limit=query.limit, now=now, zone=zone, ttl=ttl)
    if not isinstance(live, LiveBoard):
        return conditional_json_response(
            req,
            LivePublic(
                ttlSeconds=settings.presence_ttl_seconds,
                timezone=str(zone),
                generatedAt=now,
                count=live.count,
                users=[
                    CodingNowPublic(
                        userId=user.user_id,
                        username=user.username,
                        displayName=user.display_name,
                        language=user.language,
                        editor=user.editor,
                        since=user.since,
                        lastSeen=user.last_seen,
                        todayTime=user.today_seconds,
                    )
                    for user in live.users
                ],
            ),
        )
    return conditional_json_response(
        req,
        LiveBoardPublic(
            timeframe=live.timeframe,
            periodKey=live.period_key,
            start=live.start,
            end=live.end,
            timezone=live.timezone,
            ttlSeconds=settings.presence_ttl_seconds,
            generatedAt=live.generated_at,
            entries=[
                LiveBoardEntryPublic(
                    userId=entry.ranked.user_id,
                    username=entry.ranked.username,
                    displayName=entry.ranked.display_name,
                    rank=entry.ranked.rank,
                    totalTime=entry.ranked.total_seconds,
                    creditedTime=entry.credited_seconds,
                    rankDelta=entry.ranked.rank_delta,
                    previousRank=entry.ranked.previous_rank,
                    live=entry.live,
                    language=entry.language,
                )
                for entry in live.entries
            ],
        ),
    )


@bp.function_name("live_board_page")
@bp.route(route="board", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: Media("text/html")})
def live_board_page(req: func.HttpRequest) -> func.HttpResponse:
    return _asset_response("board.html", "text/html")


@bp.function_name("live_board_script")
@bp.route(route="board.js", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: Media("text/javascript")})
def live_board_script(req: func.HttpRequest) -> func.HttpResponse:
    return _asset_response("board.js", "text/javascript")


@bp.function_name("live_board_style")
@bp.route(route="board.css", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: Media("text/css")})
def live_board_style(req: func.HttpRequest) -> func.HttpResponse:
    return _asset_response("board.css", "text/css")
