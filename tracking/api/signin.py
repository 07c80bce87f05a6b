"""Sign in with Discord for the website, and the website session: who am I, verify, log out.

The flow and its rules are tracking.services.signin; how a session token authenticates is tracking.api.auth.
"""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.api.auth import PUBLIC, SERVICE, WEBSITE_SESSION, current_caller
from tracking.api.http import endpoint, json_response, read_json, read_query, redirect_response
from tracking.domain import signin as rules
from tracking.domain.profiles import User, public_profile
from tracking.models import (
    AuthenticatedPublic,
    AuthorizeQuery,
    AuthorizeUrlQuery,
    DiscordAccountPublic,
    DiscordAuthUrlPublic,
    DiscordCallbackCreate,
    DiscordCallbackQuery,
    DiscordSignInPublic,
    DiscordUserCreate,
    DiscordUserCreatedPublic,
    DiscordUserFoundPublic,
    DiscordUserPublic,
    MessagePublic,
    PrivateProfilePublic,
    SignedInUserPublic,
    TokenVerifiedPublic,
)
from tracking.services import profiles, signin
from tracking.store.client import get_db

bp = func.Blueprint()


def _signed_in(user: User) -> SignedInUserPublic:
    return SignedInUserPublic.model_validate(public_profile(user))


@bp.function_name("auth_discord")
@bp.route(route="auth/discord", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={302: None}, query=AuthorizeQuery)
def auth_discord(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, AuthorizeQuery)
    found = signin.authorization_url(redirect_uri=query.redirect_uri, settings=config.settings(), now=datetime.now(UTC))
    return redirect_response(found.url)


@bp.function_name("auth_discord_url")
@bp.route(route="auth/discord/url", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: DiscordAuthUrlPublic}, query=AuthorizeUrlQuery)
def auth_discord_url(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, AuthorizeUrlQuery)
    found = signin.authorization_url(redirect_uri=query.redirect_uri, settings=config.settings(), now=datetime.now(UTC))
    return json_response(DiscordAuthUrlPublic(authUrl=found.url, clientId=found.client_id, scopes=list(found.scopes)))


@bp.function_name("auth_discord_callback")
@bp.route(route="auth/discord/callback", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={302: None}, query=DiscordCallbackQuery)
def auth_discord_callback(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, DiscordCallbackQuery)
    outcome = signin.sign_in_from_browser(
        get_db(),
        code=query.code,
        state=query.state,
        error=query.error,
        settings=config.settings(),
        now=datetime.now(UTC),
    )
    if outcome.signed_in is None:
        return redirect_response(rules.login_error_url(outcome.website_url, outcome.failure or rules.INVALID_REQUEST))
    user = _signed_in(outcome.signed_in.user).model_dump(mode="json")
    return redirect_response(rules.signed_in_url(outcome.website_url, token=outcome.signed_in.token, user=user))


@bp.function_name("auth_discord_exchange")
@bp.route(route="auth/discord/callback", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: DiscordSignInPublic}, body=DiscordCallbackCreate, errors=(502,))
def auth_discord_exchange(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, DiscordCallbackCreate)
    done = signin.sign_in(
        get_db(),
        code=body.code,
        redirect_uri=body.redirect_uri,
        state=body.state,
        settings=config.settings(),
        now=datetime.now(UTC),
    )
    identity = done.identity
    account = DiscordAccountPublic(
        id=identity.user_id,
        username=identity.username,
        global_name=identity.global_name,
        avatar=identity.avatar,
        email=identity.email,
        verified=identity.verified,
    )
    return json_response(DiscordSignInPublic(jwt_token=done.token, user=account, userProfile=_signed_in(done.user)))


@bp.function_name("auth_user")
@bp.route(route="auth/user", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=WEBSITE_SESSION, answers={200: AuthenticatedPublic}, errors=(404,))
def auth_user(req: func.HttpRequest) -> func.HttpResponse:
    user = signin.read_signed_in_user(get_db(), caller=current_caller())
    return json_response(AuthenticatedPublic(authenticated=True, user=_signed_in(user)))


@bp.function_name("auth_verify_token")
@bp.route(route="auth/verify-token", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=WEBSITE_SESSION, answers={200: TokenVerifiedPublic}, errors=(404,))
def auth_verify_token(req: func.HttpRequest) -> func.HttpResponse:
    user = signin.read_signed_in_user(get_db(), caller=current_caller())
    return json_response(TokenVerifiedPublic(valid=True, user=_signed_in(user)))


@bp.function_name("auth_logout")
@bp.route(route="auth/logout", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=WEBSITE_SESSION, answers={200: MessagePublic})
def auth_logout(req: func.HttpRequest) -> func.HttpResponse:
    signin.sign_out(get_db(), caller=current_caller())
    return json_response(MessagePublic(message="Logged out successfully"))


@bp.function_name("auth_discord_user")
@bp.route(route="auth/discord/user/{discordId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: DiscordUserFoundPublic})
def auth_discord_user(req: func.HttpRequest) -> func.HttpResponse:
    read = profiles.read_profile(get_db(), user_id=req.route_params["discordId"], caller=current_caller())
    if not read.visible:
        return json_response(
            DiscordUserFoundPublic(exists=True, user=PrivateProfilePublic(userId=read.user_id, isPublic=False))
        )
    return json_response(
        DiscordUserFoundPublic(exists=True, user=DiscordUserPublic.model_validate(public_profile(read.user)))
    )


@bp.function_name("auth_discord_user_create")
@bp.route(route="auth/discord/user", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={201: DiscordUserCreatedPublic}, body=DiscordUserCreate, errors=(409,))
def auth_discord_user_create(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, DiscordUserCreate)
    user = profiles.create_user(
        get_db(),
        user_id=body.discordId,
        username=body.username,
        display_name=body.displayName,
        avatar_url=body.avatarUrl,
        now=datetime.now(UTC),
    )
    created = DiscordUserPublic.model_validate(public_profile(user))
    return json_response(DiscordUserCreatedPublic(message="User created successfully", user=created), 201)
