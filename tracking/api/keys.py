"""API key management: the admin's keys (issue, shown once; list, never the key; revoke), and a user's editor keys.

Editor keys (``waka_<uuid4>``, what wakatime-cli accepts) are issued by the user's own credential or a
service key; an editor key itself cannot manage keys (tracking.api.auth).
"""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking.api.auth import ADMIN, user_route
from tracking.api.http import endpoint, json_response, read_json, read_query
from tracking.models import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyPublic,
    ApiKeyQuery,
    ApiKeysPublic,
    EditorKeyCreate,
    EditorKeyIssued,
    EditorKeyPublic,
    EditorKeysPublic,
)
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
        format=record.key_format,
        userId=record.user_id,
        deviceId=record.device_id,
        createdAt=record.created_at,
        lastUsedAt=record.last_used_at,
        revokedAt=record.revoked_at,
    )


@bp.function_name("create_api_key")
@bp.route(route="admin/keys", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={201: ApiKeyIssued}, body=ApiKeyCreate)
def create_api_key(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, ApiKeyCreate)
    issued = keys.issue_api_key(
        get_db(),
        scope=body.scope,
        label=body.label,
        user_id=body.userId,
        device_id=body.deviceId,
        now=datetime.now(UTC),
        key_format=body.format,
    )
    return json_response(ApiKeyIssued(**_public(issued.record).model_dump(), key=issued.key), 201)


@bp.function_name("list_api_keys")
@bp.route(route="admin/keys", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: ApiKeysPublic}, query=ApiKeyQuery)
def list_api_keys(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, ApiKeyQuery)
    found = keys.list_api_keys(get_db(), user_id=query.userId, scope=query.scope, include_revoked=query.includeRevoked)
    return json_response(ApiKeysPublic(data=[_public(record) for record in found], count=len(found)))


@bp.function_name("revoke_api_key")
@bp.route(route="admin/keys/{keyId}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: ApiKeyPublic})
def revoke_api_key(req: func.HttpRequest) -> func.HttpResponse:
    revoked = keys.revoke_api_key(get_db(), key_id=req.route_params["keyId"], now=datetime.now(UTC))
    return json_response(_public(revoked))


def _editor_public(record: ApiKey) -> EditorKeyPublic:
    # The listing's fields less scope, format, user and device, which an editor key's owner knows.
    return EditorKeyPublic.model_validate(_public(record).model_dump())


@bp.function_name("create_editor_key")
@bp.route(route="user/{userId}/editor-keys", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route(), answers={201: EditorKeyIssued}, body=EditorKeyCreate)
def create_editor_key(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, EditorKeyCreate, optional=True)
    issued = keys.issue_editor_key(
        get_db(), user_id=req.route_params["userId"], label=body.label, now=datetime.now(UTC)
    )
    record = issued.record
    issued_key = EditorKeyIssued(key=issued.key, id=record.id, label=record.label, createdAt=record.created_at)
    return json_response(issued_key, 201)


@bp.function_name("list_editor_keys")
@bp.route(route="user/{userId}/editor-keys", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route(), answers={200: EditorKeysPublic})
def list_editor_keys(req: func.HttpRequest) -> func.HttpResponse:
    found = keys.list_editor_keys(get_db(), user_id=req.route_params["userId"])
    return json_response(EditorKeysPublic(data=[_editor_public(record) for record in found], count=len(found)))


@bp.function_name("revoke_editor_key")
@bp.route(route="user/{userId}/editor-keys/{keyId}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route(), answers={200: EditorKeyPublic})
def revoke_editor_key(req: func.HttpRequest) -> func.HttpResponse:
    revoked = keys.revoke_editor_key(
        get_db(), user_id=req.route_params["userId"], key_id=req.route_params["keyId"], now=datetime.now(UTC)
    )
    return json_response(_editor_public(revoked))
