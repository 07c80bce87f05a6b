"""Users and profiles: link a user (bot, website), read and edit a profile, search users."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.api.auth import PUBLIC, SERVICE, current_caller, user_route
from tracking.api.http import endpoint, json_response, read_json, read_query
from tracking.domain.profiles import public_profile
from tracking.models import (
    PrivateProfilePublic,
    ProfileSummaryPublic,
    ProfileUpdatedPublic,
    UserLinkCreate,
    UserLinkedPublic,
    UserProfilePublic,
    UserProfileUpdate,
    UserSearchQuery,
    UserSearchResultPublic,
    UsersSearchPublic,
    UserSummaryPublic,
)
from tracking.services import profiles
from tracking.store.client import get_db

bp = func.Blueprint()


@bp.function_name("link_user")
@bp.route(route="link", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: UserLinkedPublic}, body=UserLinkCreate)
def link_user(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, UserLinkCreate)
    user = profiles.link_user(
        get_db(),
        user_id=body.userId,
        username=body.username,
        display_name=body.displayName,
        avatar_url=body.avatarUrl,
        now=datetime.now(UTC),
    )
    summary = UserSummaryPublic.model_validate(public_profile(user))
    return json_response(UserLinkedPublic(message="User linked successfully", user=summary))


@bp.function_name("get_user_profile")
@bp.route(route="user-profile/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: UserProfilePublic | PrivateProfilePublic})
def get_user_profile(req: func.HttpRequest) -> func.HttpResponse:
    read = profiles.read_profile(get_db(), user_id=req.route_params["userId"], caller=current_caller())
    if not read.visible:
        return json_response(PrivateProfilePublic(userId=read.user_id, isPublic=False))
    return json_response(UserProfilePublic.model_validate(public_profile(read.user)))


@bp.function_name("update_user_profile")
@bp.route(route="user-profile/{userId}", methods=["PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"), answers={200: ProfileUpdatedPublic}, body=UserProfileUpdate)
def update_user_profile(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, UserProfileUpdate)
    user = profiles.update_profile(
        get_db(),
        user_id=req.route_params["userId"],
        changes=body.model_dump(exclude_none=True),
        now=datetime.now(UTC),
        settings=config.settings(),
    )
    summary = ProfileSummaryPublic.model_validate(public_profile(user))
    return json_response(ProfileUpdatedPublic(message="User profile updated successfully", user=summary))


@bp.function_name("search_users")
@bp.route(route="users/search", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: UsersSearchPublic}, query=UserSearchQuery)
def search_users(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, UserSearchQuery)
    found = profiles.search_users(get_db(), text=query.q, limit=query.limit)
    return json_response(
        UsersSearchPublic(users=[UserSearchResultPublic.model_validate(public_profile(user)) for user in found])
    )
