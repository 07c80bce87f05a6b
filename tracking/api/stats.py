"""Per-user reads of derived data: streak, languages, achievements (the user's own ingest key, or service)."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking.api.auth import user_route
from tracking.api.http import endpoint, json_response
from tracking.errors import NotFound
from tracking.store import user_stats
from tracking.store.client import get_db

bp = func.Blueprint()

USER_NOT_FOUND = "User not found"


@bp.function_name("user_streak")
@bp.route(route="streak/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"))
def user_streak(req: func.HttpRequest) -> func.HttpResponse:
    streak = user_stats.read_streak_by_user(get_db(), user_id=req.route_params["userId"], now=datetime.now(UTC))
    if streak is None:
        raise NotFound(USER_NOT_FOUND)
    return json_response(streak)


@bp.function_name("user_languages")
@bp.route(route="languages/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"))
def user_languages(req: func.HttpRequest) -> func.HttpResponse:
    languages = user_stats.find_language_seconds_by_user(get_db(), req.route_params["userId"])
    if languages is None:
        raise NotFound(USER_NOT_FOUND)
    return json_response(languages)


@bp.function_name("user_achievements")
@bp.route(route="achievements/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"))
def user_achievements(req: func.HttpRequest) -> func.HttpResponse:
    result = user_stats.find_achievements_by_user(get_db(), req.route_params["userId"])
    if result is None:
        raise NotFound(USER_NOT_FOUND)
    return json_response(result)
