"""API key management (admin): issue a key (shown once), list keys (never the key), revoke a key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import azure.functions as func

from tracking.api.auth import ADMIN
from tracking.api.http import endpoint, json_response, read_json, read_query
from tracking.errors import NotFound
from tracking.models import ApiKeyCreate, ApiKeyIssued, ApiKeyPublic, ApiKeyQuery, ApiKeysPublic
from tracking.store import apikeys, users
from tracking.store.client import get_db

bp = func.Blueprint()


def _public(document: dict[str, Any]) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate({**document, "id": str(document["_id"])})


@bp.function_name("create_api_key")
@bp.route(route="admin/keys", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def create_api_key(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, ApiKeyCreate)
    db = get_db()
    if body.userId is not None and users.find_user_by_id(db, body.userId) is None:
        raise NotFound("User not found")
    key, document = apikeys.insert_api_key(
        db, scope=body.scope, label=body.label, user_id=body.userId, device_id=body.deviceId, now=datetime.now(UTC)
    )
    issued = ApiKeyIssued.model_validate({**_public(document).model_dump(), "key": key})
    return json_response(issued, 201)


@bp.function_name("list_api_keys")
@bp.route(route="admin/keys", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def list_api_keys(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, ApiKeyQuery)
    found = apikeys.find_keys(get_db(), user_id=query.userId, scope=query.scope, include_revoked=query.includeRevoked)
    return json_response(ApiKeysPublic(data=[_public(document) for document in found], count=len(found)))


@bp.function_name("revoke_api_key")
@bp.route(route="admin/keys/{keyId}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def revoke_api_key(req: func.HttpRequest) -> func.HttpResponse:
    document = apikeys.revoke_key_by_id(get_db(), req.route_params["keyId"], now=datetime.now(UTC))
    if document is None:
        raise NotFound("API key not found")
    return json_response(_public(document))
