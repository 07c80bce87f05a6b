"""The WSGI side of the local host: HTTP triggers under /api, plus the Core Tools admin and Durable routes."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import azure.functions as func
from werkzeug.wrappers import Request, Response

from tracking import config
from tracking.api.http import error_response
from tracking.host.durable import DurableRuntime
from tracking.host.functions import AppFunctions
from tracking.host.timers import TimerScheduler

logger = logging.getLogger("tracking.host")

ROUTE_PREFIX = "/api"
DURABLE_STATUS_PREFIX = "/runtime/webhooks/durabletask/instances/"
ADMIN_FUNCTIONS_PREFIX = "/admin/functions/"


def to_werkzeug(response: func.HttpResponse) -> Response:
    headers = dict(response.headers.items())
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = f"{response.mimetype}; charset={response.charset}"
    return Response(response.get_body(), status=response.status_code, headers=headers)


def json_reply(body: Any, status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


class LocalHost:
    def __init__(self, functions: AppFunctions, durable: DurableRuntime, timers: TimerScheduler):
        self.functions = functions
        self.durable = durable
        self.timers = timers

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.perf_counter()
        try:
            response = self.dispatch(request)
        except Exception:
            logger.exception("unhandled error in %s %s", request.method, request.path)
            response = to_werkzeug(error_response(500, "Internal server error"))
        elapsed_ms = (time.perf_counter() - started) * 1000
        # The path only: a WakaTime client's query string carries its key (?api_key=).
        logger.info("%s %s %d %.1fms", request.method, request.path, response.status_code, elapsed_ms)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path == ROUTE_PREFIX or path.startswith(ROUTE_PREFIX + "/"):
            return self.call_http(request, path[len(ROUTE_PREFIX) :])
        if path.startswith(DURABLE_STATUS_PREFIX) and request.method == "GET":
            status = self.durable.status(path[len(DURABLE_STATUS_PREFIX) :])
            if status is None:
                return json_reply({"message": "No such orchestration instance"}, 404)
            code = {"Pending": 202, "Running": 202, "Completed": 200, "Failed": 500}.get(status["runtimeStatus"], 200)
            return json_reply(status, code)
        if path.startswith(ADMIN_FUNCTIONS_PREFIX) and request.method == "POST":
            return self.fire_function(path[len(ADMIN_FUNCTIONS_PREFIX) :])
        return to_werkzeug(error_response(404, f"No route {path}"))

    def call_http(self, request: Request, path: str) -> Response:
        # Refused before it is read when no route takes a body this large; each route then applies its own limit.
        settings = config.settings()
        limit = max(settings.max_body_bytes, settings.wakatime_import_max_bytes)
        if (request.content_length or 0) > limit:
            return to_werkzeug(error_response(413, f"The body is larger than {limit} bytes"))
        found = self.functions.routes.match(request.method, path)
        if found.route is None:
            status = 405 if found.allowed_methods else 404
            return to_werkzeug(error_response(status, f"No route {request.method} {request.path}"))
        http_request = func.HttpRequest(
            method=request.method,
            url=request.url,
            headers=dict(request.headers.items()),
            params=request.args.to_dict(),
            route_params=found.params,
            body=request.get_data(),
        )
        response = found.route.target.invoke(http_request, self.durable.client)
        if isinstance(response, str):
            response = func.HttpResponse(response)
        return to_werkzeug(response)

    def fire_function(self, name: str) -> Response:
        """Core Tools' way to run a non-HTTP function now: POST /admin/functions/{name}."""
        hosted = self.functions.by_name(name)
        if hosted is None or hosted not in self.functions.timers:
            return json_reply({"message": f"No timer function named {name!r}"}, 404)
        if not self.timers.run_now(hosted.name):
            return json_reply({"message": f"{hosted.name} is already running"}, 409)
        return Response(status=202)
