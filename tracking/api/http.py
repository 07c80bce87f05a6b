"""The one request and error path of every HTTP function.

``endpoint`` wraps a handler: it refuses oversized bodies, enforces the route's access rule
(tracking.api.auth), and turns an AppError, a pydantic
validation error, an unreachable database or any other failure into the JSON error shape
``{"message": ..., "errors"?: [...]}`` (on the WakaTime routes also ``"error"``, the key WakaTime clients
read). Handlers never build an error response themselves. Logs name the path, never the query string,
which may carry a WakaTime client's ``?api_key=``.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import azure.functions as func
from pydantic import BaseModel, ValidationError

from tracking import config
from tracking.api.auth import Access, authorize
from tracking.api.contract import Contract
from tracking.domain.periods import TIMEFRAMES, Timeframe
from tracking.errors import AppError, BadRequest, PayloadTooLarge
from tracking.store.client import is_unavailable

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
Handler = Callable[[func.HttpRequest], func.HttpResponse]

RETRY_AFTER_SECONDS = "5"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    if isinstance(body, BaseModel):
        payload = body.model_dump_json(by_alias=True)
    else:
        payload = json.dumps(body, default=_json_default, ensure_ascii=False)
    return func.HttpResponse(payload, status_code=status, headers=headers, mimetype="application/json", charset="utf-8")


def error_response(
    status: int,
    message: str,
    errors: list[Any] | None = None,
    headers: dict[str, str] | None = None,
    *,
    wakatime: bool = False,
) -> func.HttpResponse:
    body: dict[str, Any] = {"message": message}
    if wakatime:
        body["error"] = message
    if errors:
        body["errors"] = errors
    return json_response(body, status, headers)


def validation_errors(error: ValidationError) -> list[dict[str, str]]:
    """Every problem of a pydantic validation, as ``{"field", "message"}`` without echoing input."""
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or "body", "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]


# No request body of this API nests deeper than a few levels; the parser recurses once per level.
MAX_JSON_DEPTH = 32


def exceeds_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than ``limit`` (brackets inside strings do not count)."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def read_upload(req: func.HttpRequest) -> Any:
    """An uploaded JSON file: the first file of a ``multipart/form-data`` body, or else the body itself."""
    if (req.headers.get("Content-Type") or "").lower().startswith("multipart/form-data"):
        upload = next(iter(req.files.values()), None)
        if upload is None:
            raise BadRequest("The form has no file")
        return read_json_value(req, body=upload.read())
    return read_json_value(req)


def read_json_value(req: func.HttpRequest, *, empty: bytes | None = None, body: bytes | None = None) -> Any:
    """The body (or ``body``) as any JSON value; an empty one stands for ``empty``, or is a 400 without it."""
    body = req.get_body() if body is None else body
    if not body.strip():
        if empty is None:
            raise BadRequest("A JSON body is required")
        body = empty
    if exceeds_depth(body):
        raise BadRequest(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(body)
    # Bad UTF-8, bad JSON, or an integer of more digits than Python converts (4,300): all ValueErrors.
    except ValueError as error:
        raise BadRequest(f"Malformed JSON body: {error}") from error


def read_json(req: func.HttpRequest, model: type[ModelT], *, optional: bool = False) -> ModelT:
    """Parse the body into ``model``; malformed JSON and invalid fields are a 400 listing each problem.

    With ``optional``, an empty body stands for ``{}``.
    """
    data = read_json_value(req, empty=b"{}" if optional else None)
    if not isinstance(data, dict):
        raise BadRequest("The JSON body must be an object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadRequest("Invalid request body", errors=validation_errors(error)) from error


def read_query(req: func.HttpRequest, model: type[ModelT]) -> ModelT:
    """Parse the query string into ``model``; bad values are a 400 listing each problem."""
    try:
        return model.model_validate(dict(req.params))
    except ValidationError as error:
        raise BadRequest("Invalid query parameters", errors=validation_errors(error)) from error


def read_timeframe(req: func.HttpRequest) -> Timeframe:
    """The ``{timeframe}`` route parameter; 400 for one that is not a board's."""
    timeframe = req.route_params.get("timeframe", "")
    if timeframe not in TIMEFRAMES:
        raise BadRequest(f"Invalid timeframe. Must be one of: {', '.join(TIMEFRAMES)}")
    return timeframe


def _admit(req: func.HttpRequest, auth: Access, body_limit: config.Setting[int]) -> None:
    limit = body_limit.parse_from(config.settings().environ)
    if len(req.get_body()) > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes")
    authorize(req, auth)


def _failure_response(req: func.HttpRequest, error: Exception, auth: Access) -> func.HttpResponse:
    wakatime = auth.wakatime
    if isinstance(error, AppError):
        return error_response(error.status, error.message, error.errors, error.headers, wakatime=wakatime)
    path = urlsplit(req.url).path
    if is_unavailable(error):
        logger.warning("database unavailable during %s %s: %s", req.method, path, error)
        return error_response(
            503,
            "The database is unavailable, try again shortly",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
            wakatime=wakatime,
        )
    logger.exception("unhandled error in %s %s", req.method, path)
    return error_response(500, "Internal server error", wakatime=wakatime)


def body_limit_of(function: Any) -> int:
    """The largest body the function takes: its ``endpoint``'s limit (the local host refuses more before reading)."""
    setting: config.Setting[int] = getattr(function, "body_limit", config.MAX_BODY_BYTES)
    return setting.parse_from(config.settings().environ)


def endpoint(
    *,
    auth: Access,
    answers: Mapping[int, Any] | None = None,
    body: Any = None,
    query: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    body_limit: config.Setting[int] = config.MAX_BODY_BYTES,
) -> Callable[[Handler], Handler]:
    """Wrap a handler with its access rule, its body size limit (a setting) and the one error path.

    ``answers``, ``body``, ``query`` and ``errors`` declare the route's contract for the OpenAPI document
    (tracking.api.contract); the handler still parses with ``read_json`` and ``read_query``.
    """
    contract = Contract(auth=auth, answers=answers or {}, body=body, query=query, errors=errors)

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def handle(req: func.HttpRequest) -> func.HttpResponse:
            try:
                _admit(req, auth, body_limit)
                return handler(req)
            except Exception as error:
                return _failure_response(req, error, auth)

        handle.body_limit = body_limit  # type: ignore[attr-defined]
        handle.contract = contract  # type: ignore[attr-defined]
        return handle

    return wrap


DurableHandler = Callable[[func.HttpRequest, Any], Awaitable[func.HttpResponse]]


def durable_endpoint(
    *, auth: Access, answers: Mapping[int, Any] | None = None, body: Any = None
) -> Callable[[DurableHandler], DurableHandler]:
    """``endpoint`` for an async handler that binds a Durable client with ``client_name="client"``."""
    contract = Contract(auth=auth, answers=answers or {}, body=body)

    def wrap(handler: DurableHandler) -> DurableHandler:
        @functools.wraps(handler)
        async def handle(req: func.HttpRequest, client: Any) -> func.HttpResponse:
            try:
                _admit(req, auth, config.MAX_BODY_BYTES)
                return await handler(req, client)
            except Exception as error:
                return _failure_response(req, error, auth)

        handle.contract = contract  # type: ignore[attr-defined]
        return handle

    return wrap
