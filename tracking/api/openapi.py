"""The OpenAPI 3.1 document of the app, and the page that renders it for people.

The document is built from the route table (every HTTP function as the Functions host indexes it) and
the contract each route's ``endpoint`` declares (tracking.api.contract): its access rule, body, query
model and success answers, as pydantic describes them. Every error has the one shape of
``tracking.api.http.error_response``. Like the catch-all, this blueprint must know every other route
without importing the blueprint list, so ``tracking.blueprints`` hands the list in.

The page is Swagger UI, served from the ``swagger-ui-py`` package's files: no CDN.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from typing import Any

import azure.functions as func
from pydantic import BaseModel, TypeAdapter

from tracking import __version__
from tracking.api.auth import PUBLIC, Access
from tracking.api.contract import Contract, Media, contract_of
from tracking.api.http import endpoint, json_response
from tracking.api.routing import ROUTE_PREFIX, http_functions, trigger_methods
from tracking.domain.badges import METRICS
from tracking.domain.periods import TIMEFRAMES
from tracking.errors import NotFound

_REF_TEMPLATE = "#/components/schemas/{model}"
_PARAMETER = re.compile(r"\{\*?([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]+)?\??\}")

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "error": {"type": "string", "description": "The message again, on the WakaTime-compatible routes"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "Each problem, where known"},
    },
}
SECURITY_SCHEMES: dict[str, Any] = {
    "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key: `Authorization: Bearer <key>`"},
    "wakatimeBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "WakaTime clients: `Authorization: Basic base64(<key>)`",
    },
    "wakatimeQuery": {"type": "apiKey", "in": "query", "name": "api_key", "description": "WakaTime clients"},
    "websiteSession": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A website session token from Sign in with Discord: `Authorization: Bearer <token>`",
    },
}
# Path parameters whose values are a closed set; every other one is any non-empty segment.
_PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "timeframe": {"type": "string", "enum": list(TIMEFRAMES)},
    "metric": {"type": "string", "enum": list(METRICS)},
}
_ERRORS = {
    400: "Bad input: the problems are listed",
    401: "No API key or session, or an unknown one",
    403: "The key or session may not do this",
    404: "Not found",
    409: "In conflict with what exists",
    413: "The body is too large",
    429: "Too many attempts (with Retry-After)",
    502: "An upstream (Discord, a webhook receiver) answered with a failure",
    503: "The database is unavailable (with Retry-After), or an upstream (Discord, a webhook receiver) is not reached",
}

# Swagger UI's files, by the name the page asks for them; nothing else under /api/docs/ is served.
DOCS_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DisTrack Functions API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui"});</script>
</body>
</html>
"""


@dataclass(frozen=True)
class DocumentedRoute:
    """One method of one HTTP function, as the document lists it."""

    method: str
    path: str
    name: str
    module: str
    contract: Contract


def documented_routes(blueprints: Sequence[func.Blueprint]) -> list[DocumentedRoute]:
    """Every method of every HTTP function of ``blueprints`` that declares a contract, but the catch-all."""
    found = []
    for function in http_functions(blueprints):
        trigger: Any = function.get_trigger()
        if "{*" in trigger.route:
            continue
        user_function = function.get_user_function()
        contract = contract_of(user_function)
        if contract is None:
            continue
        path = f"{ROUTE_PREFIX}/{trigger.route}" if trigger.route else f"{ROUTE_PREFIX}/"
        for method in sorted(trigger_methods(function)):
            found.append(
                DocumentedRoute(
                    method=method,
                    path=_PARAMETER.sub(r"{\1}", path),
                    name=function.get_function_name() or user_function.__name__,
                    module=user_function.__module__.rsplit(".", 1)[-1],
                    contract=contract,
                )
            )
    return sorted(found, key=lambda route: (route.path, route.method))


class _Schemas:
    """JSON schemas of the contracts' types, with every model once under ``components.schemas``."""

    def __init__(self, routes: Sequence[DocumentedRoute]):
        inputs: list[tuple[Any, Any, TypeAdapter[Any]]] = []
        for route in routes:
            contract = route.contract
            for mode, described in self._described(contract):
                if not isinstance(described, Media):
                    inputs.append(((id(described), mode), mode, TypeAdapter(described)))
        unique = {key: (key, mode, adapter) for key, mode, adapter in inputs}
        by_key, definitions = TypeAdapter.json_schemas(unique.values(), ref_template=_REF_TEMPLATE)
        self._by_key = {key: schema for (key, _), schema in by_key.items()}
        self.components: dict[str, Any] = dict(definitions.get("$defs", {}))

    @staticmethod
    def _described(contract: Contract) -> Iterator[tuple[str, Any]]:
        if contract.body is not None:
            yield "validation", contract.body
        if contract.query is not None:
            yield "validation", contract.query
        for answer in contract.answers.values():
            if answer is not None:
                yield "serialization", answer

    def of(self, described: Any, mode: str) -> dict[str, Any]:
        return dict(self._by_key[(id(described), mode)])

    def query_parameters(self, query: type[BaseModel]) -> list[dict[str, Any]]:
        schema = self.of(query, "validation")
        if "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        required = set(schema.get("required", []))
        return [
            {"name": name, "in": "query", "required": name in required, "schema": _query_value(field)}
            for name, field in schema.get("properties", {}).items()
        ]


def _query_value(field: dict[str, Any]) -> dict[str, Any]:
    """A query model's field as a parameter: a query string cannot send null, so an optional field is its value type."""
    value = {key: item for key, item in field.items() if key != "title" and not (key == "default" and item is None)}
    choices = [choice for choice in value.pop("anyOf", []) if choice != {"type": "null"}]
    if len(choices) == 1:
        value.update(choices[0])
    elif choices:
        value["anyOf"] = choices
    return value


def _content(schemas: _Schemas, described: Any, mode: str) -> dict[str, Any]:
    if isinstance(described, Media):
        return {media_type: {"schema": {"type": "string"}} for media_type in described.media_types}
    return {"application/json": {"schema": schemas.of(described, mode)}}


def _security(access: Access) -> list[dict[str, list[str]]]:
    if not access.needs_credential:
        return []
    if access.sessions == "only":
        return [{"websiteSession": []}]
    if access.wakatime:
        return [{"wakatimeBasic": []}, {"wakatimeQuery": []}, {"apiKey": []}]
    return [{"apiKey": []}, {"websiteSession": []}] if access.sessions == "own" else [{"apiKey": []}]


def _who(access: Access) -> str:
    if not access.needs_credential:
        return "Public."
    if access.sessions == "only":
        return "A website session (Sign in with Discord)."
    if access.user_param is not None and access.scope == "service":
        return f"A service key, or the website session of the user named by `{access.user_param}`."
    if access.user_param is not None:
        return f"An ingest key or the website session of the user named by `{access.user_param}`, or a service key."
    if access.wakatime:
        return "An ingest or editor key (the key's own user), or a service key."
    return f"An API key with the `{access.scope}` scope."


def _error_statuses(route: DocumentedRoute) -> list[int]:
    contract = route.contract
    has_parameters = "{" in route.path
    statuses = {503, *contract.errors}
    if contract.body is not None or contract.query is not None or has_parameters or contract.auth.wakatime:
        statuses.add(400)
    if contract.auth.needs_credential:
        statuses |= {401, 403}
    if has_parameters:
        statuses.add(404)
    if contract.body is not None:
        statuses.add(413)
    return sorted(statuses - set(contract.answers))


def _operation(route: DocumentedRoute, schemas: _Schemas) -> dict[str, Any]:
    contract = route.contract
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_SCHEMAS.get(name, {"type": "string"})}
        for name in _PARAMETER.findall(route.path)
    ]
    if contract.query is not None:
        parameters += schemas.query_parameters(contract.query)
    responses: dict[str, Any] = {}
    for status, answer in sorted(contract.answers.items()):
        responses[str(status)] = {"description": "Success" if status < 300 else "See the body"}
        if answer is not None:
            responses[str(status)]["content"] = _content(schemas, answer, "serialization")
    for status in _error_statuses(route):
        responses[str(status)] = {
            "description": _ERRORS.get(status, HTTPStatus(status).phrase),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation: dict[str, Any] = {
        "operationId": route.name if route.method in ("GET", "POST") else f"{route.name}_{route.method.lower()}",
        "tags": [route.module],
        "description": _who(contract.auth),
        "security": _security(contract.auth),
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    if contract.body is not None:
        operation["requestBody"] = {"required": False, "content": _content(schemas, contract.body, "validation")}
    return operation


def openapi_document(routes: Sequence[DocumentedRoute]) -> dict[str, Any]:
    schemas = _Schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DisTrack Functions",
            "version": __version__,
            "description": "Coding-time leaderboards for Discord communities. Routes and examples: docs/api.md.",
        },
        "paths": paths,
        "components": {
            "schemas": {**schemas.components, "Error": ERROR_SCHEMA},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def _asset(name: str) -> bytes:
    return (resources.files("swagger_ui") / "static" / name).read_bytes()


def document_routes(routed: Sequence[func.Blueprint]) -> func.Blueprint:
    """A blueprint serving the document of ``routed`` and of itself, and the page that renders it."""
    bp = func.Blueprint()
    document = functools.cache(lambda: openapi_document(documented_routes((*routed, bp))))

    @bp.function_name("openapi_json")
    @bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    @endpoint(auth=PUBLIC, answers={200: dict[str, Any]})
    def openapi_json(req: func.HttpRequest) -> func.HttpResponse:
        return json_response(document(), headers={"Cache-Control": "public, max-age=300"})

    @bp.function_name("api_docs")
    @bp.route(route="docs", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    @endpoint(auth=PUBLIC, answers={200: Media("text/html")})
    def api_docs(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(DOCS_PAGE, mimetype="text/html", charset="utf-8")

    @bp.function_name("api_docs_asset")
    @bp.route(route="docs/{asset}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    @endpoint(auth=PUBLIC, answers={200: Media(*sorted(set(DOCS_ASSETS.values())))})
    def api_docs_asset(req: func.HttpRequest) -> func.HttpResponse:
        name = req.route_params["asset"]
        if name not in DOCS_ASSETS:
            raise NotFound(f"No asset {name}")
        return func.HttpResponse(
            _asset(name), mimetype=DOCS_ASSETS[name], headers={"Cache-Control": "public, max-age=86400"}
        )

    return bp
