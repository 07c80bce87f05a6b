"""Health and the API index (the catch-all 404/405 route is tracking.api.fallback)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import azure.functions as func

from tracking import __version__
from tracking.api.auth import PUBLIC
from tracking.api.http import endpoint, json_response
from tracking.models import ApiIndexPublic, DatabaseHealth, HealthPublic
from tracking.services import reports

bp = func.Blueprint()

DOCS_URL = "https://github.com/distrack/distrack-functions/blob/main/docs/api.md"

_started = time.monotonic()


@bp.function_name("health")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: HealthPublic, 503: HealthPublic})
def health(req: func.HttpRequest) -> func.HttpResponse:
    latency = reports.database_latency_ms()
    up = latency is not None
    database = DatabaseHealth(status="up", latencyMs=latency) if up else DatabaseHealth(status="down")
    body = HealthPublic(
        status="OK" if up else "DEGRADED",
        timestamp=datetime.now(UTC),
        uptime=round(time.monotonic() - _started, 3),
        database=database,
    )
    return json_response(body, 200 if up else 503, None if up else {"Retry-After": "5"})


@bp.function_name("api_index")
@bp.route(route="", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: ApiIndexPublic})
def api_index(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(
        ApiIndexPublic(name="DisTrack Functions", version=__version__, docs=DOCS_URL, health="/api/health")
    )
