"""API key management (admin): issue a key (shown once), list keys (never the key), revoke a key."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking.api.auth import ADMIN
from tracking.api.http import endpoint, json_response, read_json, read_query
from tracking.models import ApiKeyCreate, ApiKeyIssued, ApiKeyPublic, ApiKeyQuery, ApiKeysPublic
from tracking.services import keys
from tracking.store.apikeys import ApiKey
from tracking.store.client import get_db

bp = func.Blueprint()


def _public(record: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=record.id,
        prefix=record.prefix,
        label=record.label,
        scope=record.scope,
        userId=record.user_id,
        deviceId=record.device_id,
        createdAt=record.created_at,
        lastUsedAt=record.last_used_at,
        revokedAt=record.revoked_at,
    )


@bp.function_name("create_api_key")
@bp.route(route="admin/keys", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def create_api_key(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, ApiKeyCreate)
    issued = keys.issue_api_key(
        get_db(),
        scope=body.scope,
        label=body.label,
        user_id=body.userId,
        device_id=body.deviceId,
        now=datetime.now(UTC),
    )
    return json_response(ApiKeyIssued(**_public(issued.record).model_dump(), key=issued.key), 201)


@bp.function_name("list_api_keys")
@bp.route(route="admin/keys", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def list_api_keys(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, ApiKeyQuery)
    found = keys.list_api_keys(get_db(), user_id=query.userId, scope=query.scope, include_revoked=query.includeRevoked)
    return json_response(ApiKeysPublic(data=[_public(record) for record in found], count=len(found)))


@bp.function_name("revoke_api_key")
@bp.route(route="admin/keys/{keyId}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN)
def revoke_api_key(req: func.HttpRequest) -> func.HttpResponse:
    revoked = keys.revoke_api_key(get_db(), key_id=req.route_params["keyId"], now=datetime.now(UTC))
    return json_response(_public(revoked))
