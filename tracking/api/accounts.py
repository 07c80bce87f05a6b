"""A user's own data: their export and its deletion (that user's key, or a service key)."""

from __future__ import annotations

import azure.functions as func

from tracking.api.auth import user_route
from tracking.api.http import endpoint, json_response, read_json, read_query
from tracking.models import (
    DailyTotalExport,
    ExportQuery,
    RankHistoryExport,
    UserDelete,
    UserDeletedPublic,
    UserExportPublic,
)
from tracking.services import accounts
from tracking.store.client import get_db

bp = func.Blueprint()


@bp.function_name("user_export")
@bp.route(route="user/{userId}/export", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"), answers={200: UserExportPublic}, query=ExportQuery)
def user_export(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, ExportQuery)
    export = accounts.export_user_data(get_db(), user_id=req.route_params["userId"], cursor=query.cursor)
    return json_response(
        UserExportPublic(
            profile=export.profile,
            dailyTotals=[DailyTotalExport.model_validate(total) for total in export.daily_totals],
            rankHistory=[RankHistoryExport.model_validate(row) for row in export.rank_history],
            sessions=export.sessions,
            nextCursor=export.next_cursor,
        )
    )


@bp.function_name("user_delete")
@bp.route(route="user/{userId}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=user_route("userId"), answers={200: UserDeletedPublic}, body=UserDelete)
def user_delete(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, UserDelete)
    deleted = accounts.delete_user_data(get_db(), user_id=req.route_params["userId"], confirm=body.confirm)
    return json_response(UserDeletedPublic(message="User data deleted", deleted=deleted))
