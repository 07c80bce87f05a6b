"""The extension link flow: link codes (service), the extension's link and its one key pickup (public).

The flow and its rules are tracking.services.linking; wrong codes count toward a lockout of the client,
which is the last X-Forwarded-For entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.api.auth import PUBLIC, SERVICE, current_caller
from tracking.api.http import endpoint, json_response, read_json
from tracking.domain.linking import UnknownClient, client_address
from tracking.domain.profiles import public_profile
from tracking.errors import BadRequest
from tracking.models import (
    ExtensionKeyPublic,
    ExtensionLinkCreate,
    ExtensionLinkedPublic,
    ExtensionUserPublic,
    LinkCodePublic,
    SuccessPublic,
)
from tracking.services import linking
from tracking.store.client import get_db

bp = func.Blueprint()


def _client(req: func.HttpRequest) -> str:
    try:
        return client_address(req.headers.get("X-Forwarded-For"), trusted_hops=config.settings().trusted_proxy_hops)
    except UnknownClient as error:
        raise BadRequest(f"Cannot tell which client this is: {error}") from error


@bp.function_name("create_link_code")
@bp.route(route="user/link-code/{userId}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: LinkCodePublic}, errors=(429,))
def create_link_code(req: func.HttpRequest) -> func.HttpResponse:
    issued = linking.issue_link_code(
        get_db(),
        user_id=req.route_params["userId"],
        caller_key_id=current_caller().key_id or "",
        secret=config.settings().link_secret,
        now=datetime.now(UTC),
    )
    return json_response(
        LinkCodePublic(
            linkCode=issued.code,
            expiresAt=issued.expires_at,
            length=len(issued.code),
            cooldownSeconds=issued.cooldown_seconds,
        )
    )


@bp.function_name("delete_link_code")
@bp.route(route="user/link-code/{userId}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: SuccessPublic})
def delete_link_code(req: func.HttpRequest) -> func.HttpResponse:
    linking.withdraw_link_codes_by_user(get_db(), user_id=req.route_params["userId"])
    return json_response(SuccessPublic(success=True))


@bp.function_name("link_extension")
@bp.route(route="extension/link", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: ExtensionLinkedPublic}, body=ExtensionLinkCreate, errors=(404, 429))
def link_extension(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, ExtensionLinkCreate)
    link = linking.link_extension(
        get_db(),
        code=body.linkCode,
        device_id=body.deviceId,
        client=_client(req),
        secret=config.settings().link_secret,
        now=datetime.now(UTC),
    )
    user = ExtensionUserPublic.model_validate(public_profile(link.user))
    return json_response(ExtensionLinkedPublic(success=True, user=user, token=link.key))


@bp.function_name("extension_key")
@bp.route(route="extension/key/auth/{deviceId}/{linkCode}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: ExtensionKeyPublic}, errors=(429,))
def extension_key(req: func.HttpRequest) -> func.HttpResponse:
    key = linking.pickup_key(
        get_db(),
        device_id=req.route_params["deviceId"],
        code=req.route_params["linkCode"].upper(),
        secret=config.settings().link_secret,
        client=_client(req),
        now=datetime.now(UTC),
    )
    return json_response(ExtensionKeyPublic(token=key))
