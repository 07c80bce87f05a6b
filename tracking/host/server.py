"""The WSGI side of the local host: HTTP triggers under /api, plus the Core Tools admin and Durable routes."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import azure.functions as func
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from tracking.api.http import body_limit_of, error_response
from tracking.api.routing import ROUTE_PREFIX
from tracking.host.durable import DurableRuntime
from tracking.host.functions import AppFunctions
from tracking.host.timers import TimerScheduler

logger = logging.getLogger("tracking.host")

DURABLE_STATUS_PREFIX = "/runtime/webhooks/durabletask/instances/"
ADMIN_FUNCTIONS_PREFIX = "/admin/functions/"


def to_werkzeug(response: func.HttpResponse) -> Response:
    headers = dict(response.headers.items())
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = f"{response.mimetype}; charset={response.charset}"
    return Response(response.get_body(), status=response.status_code, headers=headers)


def json_reply(body: Any, status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


class QuietRequestHandler(WSGIRequestHandler):
    """Names no versions in ``Server:``, and answers a malformed HTTP request in JSON, like every route."""

    server_version = "DisTrack-local-host"

    def version_string(self) -> str:
        return self.server_version

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        body = json.dumps({"message": message or HTTPStatus(code).phrase}).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


def is_cross_site(request: Request) -> bool:
    """A request a web page in a browser sent to this machine: its Origin is another site than the host's."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


def _then_stop_reading(body: Iterable[bytes], connection: socket.socket | None) -> Iterator[bytes]:
    """The body, then no more reading from the client: the development server would read the rest of a too
    large request (up to 10 GB) before closing the connection."""
    yield from body
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RD)


def forwarded_headers(request: Request) -> dict[str, str]:
    """The request's headers with the peer's address appended to X-Forwarded-For, as Azure's front end does."""
    headers = {name: value for name, value in request.headers.items() if name.lower() != "x-forwarded-for"}
    forwarded = request.headers.get("X-Forwarded-For")
    peer = request.remote_addr or "127.0.0.1"
    headers["X-Forwarded-For"] = f"{forwarded}, {peer}" if forwarded else peer
    return headers


def too_large(limit: int) -> Response:
    response = to_werkzeug(error_response(413, f"The body is larger than {limit} bytes"))
    response.headers["Connection"] = "close"  # the rest of the body is never read: the connection cannot go on
    return response


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
        if response.status_code == 413:
            return _then_stop_reading(response(environ, start_response), environ.get("werkzeug.socket"))
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path == ROUTE_PREFIX or path.startswith(ROUTE_PREFIX + "/"):
            return self.call_http(request, path[len(ROUTE_PREFIX) :])
        if path.startswith((DURABLE_STATUS_PREFIX, ADMIN_FUNCTIONS_PREFIX)) and is_cross_site(request):
            # Core Tools' admin routes are for this machine's tools, never for a web page a browser has open.
            return json_reply({"message": "Cross-site requests to the host's admin routes are refused"}, 403)
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
        found = self.functions.routes.match(request.method, path)
        if found.route is None:
            status = 405 if found.allowed_methods else 404
            return to_werkzeug(error_response(status, f"No route {request.method} {request.path}"))
        # The route's own limit (MAX_BODY_BYTES, or e.g. WAKATIME_IMPORT_MAX_BYTES for an import).
        limit = body_limit_of(found.route.target.function.get_user_function())
        if (request.content_length or 0) > limit:
            return too_large(limit)
        # A chunked body has no length: read one byte past the limit at most, never the whole of it.
        body = request.stream.read(limit + 1)
        if len(body) > limit:
            return too_large(limit)
        http_request = func.HttpRequest(
            method=request.method,
            url=request.url,
            headers=forwarded_headers(request),
            params=request.args.to_dict(),
            route_params=found.params,
            body=body,
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
