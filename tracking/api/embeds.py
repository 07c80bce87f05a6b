"""Badges (SVG, shields.io endpoint JSON), the profile card PNG and the embed page: public, cacheable.

What they show and the visibility rule they apply: tracking.services.embeds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast
from urllib.parse import quote, urlsplit

import azure.functions as func

from tracking import config
from tracking.api.auth import PUBLIC
from tracking.api.contract import Media
from tracking.api.http import endpoint, json_response, redirect_response
from tracking.domain import badges, cards, embeds
from tracking.domain.badges import Metric
from tracking.errors import NotFound
from tracking.models import ShieldsEndpointPublic
from tracking.services import embeds as embed_reads
from tracking.store.client import get_db

bp = func.Blueprint()


def _metric(req: func.HttpRequest) -> Metric:
    metric = req.route_params.get("metric", "")
    if metric not in badges.METRICS:
        raise NotFound(f"No such badge. Metrics: {', '.join(badges.METRICS)}")
    return cast(Metric, metric)


def _cached(seconds: int) -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={seconds}"}


@bp.function_name("badge_svg")
@bp.route(route="badge/{userId}/{metric}.svg", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: Media("image/svg+xml")})
def badge_svg(req: func.HttpRequest) -> func.HttpResponse:
    settings = config.settings()
    badge = embed_reads.read_badge(
        get_db(),
        user_id=req.route_params["userId"],
        metric=_metric(req),
        now=datetime.now(UTC),
        zone=settings.board_timezone,
    )
    headers = {**_cached(badges.BADGE_MAX_AGE_SECONDS), "Content-Type": "image/svg+xml; charset=utf-8"}
    return func.HttpResponse(badges.badge_svg(badge), headers=headers)


@bp.function_name("badge_json")
@bp.route(route="badge/{userId}/{metric}.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: ShieldsEndpointPublic})
def badge_json(req: func.HttpRequest) -> func.HttpResponse:
    settings = config.settings()
    badge = embed_reads.read_badge(
        get_db(),
        user_id=req.route_params["userId"],
        metric=_metric(req),
        now=datetime.now(UTC),
        zone=settings.board_timezone,
    )
    body = ShieldsEndpointPublic.model_validate(badges.shields_endpoint(badge))
    return json_response(body, headers=_cached(badges.BADGE_MAX_AGE_SECONDS))


@bp.function_name("embed_card")
@bp.route(route="embed/{userId}/card.png", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: Media("image/png")})
def embed_card(req: func.HttpRequest) -> func.HttpResponse:
    settings = config.settings()
    png = embed_reads.render_profile_card(
        get_db(),
        user_id=req.route_params["userId"],
        now=datetime.now(UTC),
        zone=settings.board_timezone,
        cdn_url=settings.discord_cdn_url,
    )
    headers = {**_cached(cards.CARD_MAX_AGE_SECONDS), "Content-Type": "image/png"}
    return func.HttpResponse(png, headers=headers)


def _card_url(req: func.HttpRequest, user_id: str, version: str) -> str:
    """The card's absolute URL, beside this page under the same host and route prefix."""
    parts = urlsplit(req.url)
    prefix = parts.path[: parts.path.rfind("/embed/")]
    return f"{parts.scheme}://{parts.netloc}{prefix}/embed/{quote(user_id, safe='')}/card.png?v={version}"


@bp.function_name("embed_page")
@bp.route(route="embed/{userId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: Media("text/html"), 302: None})
def embed_page(req: func.HttpRequest) -> func.HttpResponse:
    settings = config.settings()
    user_id = req.route_params["userId"]
    profile_url = f"{settings.website_url}/user/{quote(user_id, safe='')}"
    if not embeds.is_crawler(req.headers.get("User-Agent")):
        return redirect_response(profile_url)
    card = embed_reads.read_card(get_db(), user_id=user_id, now=datetime.now(UTC), zone=settings.board_timezone)
    image_url = _card_url(req, user_id, card.version if card else "private")
    page = embeds.embed_page(card=card, image_url=image_url, profile_url=profile_url)
    headers = {
        **_cached(embeds.EMBED_MAX_AGE_SECONDS),
        "Content-Type": "text/html; charset=utf-8",
        "Vary": "User-Agent",
    }
    return func.HttpResponse(page, headers=headers)
