"""The OpenAPI document lists exactly the app's routes, is valid OpenAPI 3.1, agrees with docs/api.md, and renders."""

from __future__ import annotations

import re
from typing import Any

import azure.functions as func
import pytest
from openapi_spec_validator import validate

from tests.utils.hosts import RunningHost
from tracking.api.openapi import DOCS_ASSETS
from tracking.blueprints import BLUEPRINTS
from tracking.domain.profiles import USER_ID_PATTERN
from tracking.host.devdb import ROOT

_PARAMETER = re.compile(r"\{[^}]*\}")
# A route's heading in docs/api.md: ### `METHOD /api/path?query` (who may call it)
_HEADING = re.compile(r"^### `(?P<method>[A-Z]+) (?P<path>/api/[^`?]*)(?:\?[^`]*)?`(?: \((?P<who>[^)]*)\))?")


def _shape(path: str) -> str:
    """A path with each parameter as ``{}``, so that docs may name a parameter ``{id}`` for ``{keyId}``."""
    return _PARAMETER.sub("{}", path)


def _app_routes() -> set[tuple[str, str]]:
    """(method, path) of every HTTP function of the app, but the catch-all, as the Functions host indexes them."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for blueprint in BLUEPRINTS:
        app.register_functions(blueprint)
    routes = set()
    for function in app.get_functions():
        trigger: Any = function.get_trigger()
        if trigger is None or trigger.type != "httpTrigger" or trigger.route.startswith("{*"):
            continue
        for method in trigger.methods:
            routes.add((method.value, _shape(f"/api/{trigger.route}")))
    return routes


@pytest.fixture(scope="module")
def document(module_host: RunningHost) -> dict[str, Any]:
    response = module_host.get("openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def _documented(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), _shape(path)): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_lists_exactly_the_apps_routes(document: dict[str, Any]) -> None:
    assert set(_documented(document)) == _app_routes()


def test_every_operation_names_its_success_answers_its_errors_and_its_access(document: dict[str, Any]) -> None:
    for (method, path), operation in _documented(document).items():
        statuses = set(operation["responses"])
        assert any(status.startswith(("2", "3")) for status in statuses), (method, path)
        assert "503" in statuses, (method, path)
        if operation["security"]:
            assert {"401", "403"} <= statuses, (method, path)


def test_a_scoped_route_names_its_scheme_and_a_public_one_none(document: dict[str, Any]) -> None:
    operations = _documented(document)
    assert operations[("GET", "/api/leaderboard/{}")]["security"] == []
    assert operations[("POST", "/api/coding-session")]["security"] == [{"apiKey": []}]
    assert operations[("GET", "/api/compat/wakatime/v1/users/{}/statusbar/today")]["security"] == [
        {"wakatimeBasic": []},
        {"wakatimeQuery": []},
        {"apiKey": []},
    ]


def test_bodies_and_queries_come_from_the_request_models(document: dict[str, Any]) -> None:
    operations = _documented(document)
    session_body = operations[("POST", "/api/coding-session")]["requestBody"]["content"]["application/json"]
    assert session_body["schema"] == {"$ref": "#/components/schemas/SessionCreate"}
    session = document["components"]["schemas"]["SessionCreate"]
    assert session["required"] == ["userId"]
    assert session["properties"]["userId"]["pattern"] == USER_ID_PATTERN
    limit = next(p for p in operations[("GET", "/api/leaderboard/{}")]["parameters"] if p["name"] == "limit")
    assert limit == {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
    }


def _api_md_headings() -> dict[tuple[str, str], str]:
    headings = {}
    for line in (ROOT / "docs" / "api.md").read_text().splitlines():
        found = _HEADING.match(line)
        if found:
            headings[(found["method"], _shape(found["path"]))] = found["who"] or ""
    return headings


def test_docs_api_md_has_a_heading_for_exactly_the_documents_routes(document: dict[str, Any]) -> None:
    assert set(_api_md_headings()) == set(_documented(document))


def test_docs_api_md_calls_public_exactly_the_routes_without_security(document: dict[str, Any]) -> None:
    operations = _documented(document)
    for route, who in _api_md_headings().items():
        assert who.startswith("public") == (operations[route]["security"] == []), route


def test_the_docs_page_renders_the_document_from_the_apps_own_files(module_host: RunningHost) -> None:
    page = module_host.get("docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    referenced = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(referenced) == ["/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-ui.css"]
    assert '"/api/openapi.json"' in page.text
    for name, media_type in DOCS_ASSETS.items():
        asset = module_host.get(f"docs/{name}")
        assert asset.status_code == 200
        assert asset.headers["Content-Type"].startswith(media_type)
        assert len(asset.content) > 10_000


def test_only_the_pages_own_assets_are_served(module_host: RunningHost) -> None:
    for name in ("index.html", "..%2F..%2Fconfig.py", "swagger-editor.js"):
        response = module_host.get(f"docs/{name}")
        assert response.status_code == 404, name
        assert response.json()["message"].startswith("No ")
