"""Per-user reads of derived data: streak, languages, achievements (the user's own ingest key, or service)."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking.api.auth import user_route
from tracking.api.http import endpoint, json_response
from tracking.models import AchievementPublic, AchievementsPublic, NextMilestonePublic, StreakPublic
from tracking.services import progress
from tracking.store.client import get_db

bp = func.Blueprint()


@bp.function_name("user_streak")
@bp.route(route="streak/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"), answers={200: StreakPublic})
def user_streak(req: func.HttpRequest) -> func.HttpResponse:
    streak = progress.read_streak(get_db(), user_id=req.route_params["userId"], now=datetime.now(UTC))
    return json_response(StreakPublic(currentStreak=streak.current, longestStreak=streak.longest))


@bp.function_name("user_languages")
@bp.route(route="languages/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"), answers={200: dict[str, float]})
def user_languages(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(progress.read_languages(get_db(), req.route_params["userId"]))


@bp.function_name("user_achievements")
@bp.route(route="achievements/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"), answers={200: AchievementsPublic})
def user_achievements(req: func.HttpRequest) -> func.HttpResponse:
    user_id = req.route_params["userId"]
    result = progress.read_achievements(get_db(), user_id)
    earned = [
        AchievementPublic(
            name=item.name,
            description=item.description,
            category=item.category,
            target=item.target,
            earnedAt=item.earned_at,
        )
        for item in result.earned
    ]
    upcoming: dict[str, NextMilestonePublic | None] = {
        category: None
        if next_one is None
        else NextMilestonePublic(
            name=next_one.milestone.name,
            description=next_one.milestone.description,
            category=next_one.milestone.category,
            target=next_one.milestone.target,
            language=next_one.milestone.language,
            current=next_one.current,
            progress=next_one.progress,
        )
        for category, next_one in result.upcoming.items()
    }
    return json_response(AchievementsPublic(userId=user_id, earned=earned, next=upcoming))
