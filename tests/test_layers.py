"""Every HTTP handler calls exactly one service function and no repository: the layer rule of CONVENTIONS.md."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from types import ModuleType
from typing import Any

import azure.functions as func
import pytest

from tracking.blueprints import BLUEPRINTS
from tracking.host.devdb import ROOT

# Routes that answer without a use case: the API index, the catch-all, the Durable status reads, and the
# OpenAPI document and its page.
NO_SERVICE = {
    "api_index",
    "not_found",
    "admin_cleanup_status",
    "admin_boards_rebuild_status",
    "openapi_json",
    "api_docs",
    "api_docs_asset",
}
# A Durable job's start route calls its starter in tracking.jobs, which starts the orchestration.
USE_CASE_LAYERS = ("tracking.services.", "tracking.jobs.")


def _handlers() -> dict[str, Callable[..., Any]]:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for blueprint in BLUEPRINTS:
        app.register_functions(blueprint)
    handlers = {}
    for function in app.get_functions():
        trigger = function.get_trigger()
        if trigger is not None and trigger.type == "httpTrigger":
            handlers[function.get_function_name()] = inspect.unwrap(function.get_user_function())
    return handlers


def _callees(handler: Callable[..., Any]) -> list[Any]:
    """What the handler's calls resolve to through its module: functions, and attributes of imported modules."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(handler)))
    scope = handler.__globals__
    found: list[Any] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = node.func
        if isinstance(target, ast.Name) and target.id in scope:
            found.append(scope[target.id])
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = scope.get(target.value.id)
            if isinstance(owner, ModuleType):
                found.append(getattr(owner, target.attr, None))
    return found


def _layer(callee: Any) -> str:
    return str(getattr(callee, "__module__", "") or "")


HANDLERS = _handlers()


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_a_handler_calls_one_service_function_and_no_repository(name: str) -> None:
    modules = [_layer(callee) for callee in _callees(HANDLERS[name])]
    services = [module for module in modules if module.startswith(USE_CASE_LAYERS)]
    assert not [
        module for module in modules if module.startswith("tracking.store.") and module != "tracking.store.client"
    ]
    assert len(services) == (0 if name in NO_SERVICE else 1), services


def _documented_routes() -> dict[str, tuple[str, str]]:
    """docs/routes.md: handler name -> (handler module, service function), from its table."""
    rows = {}
    for line in (ROOT / "docs" / "routes.md").read_text().splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        if len(cells) == 4 and "." in cells[1] and cells[0] not in ("route", "---"):
            module, name = cells[1].rsplit(".", 1)
            rows[name] = (module, cells[2])
    return rows


def _service_of(handler: Callable[..., Any]) -> str:
    found = [callee for callee in _callees(handler) if _layer(callee).startswith(USE_CASE_LAYERS)]
    if not found:
        return "none"
    return f"{_layer(found[0]).removeprefix('tracking.')}.{found[0].__name__}"


def test_docs_routes_names_every_handler_and_its_service_function() -> None:
    documented = _documented_routes()
    assert sorted(documented) == sorted(HANDLERS)
    for name, handler in HANDLERS.items():
        assert documented[name] == (handler.__module__.rsplit(".", 1)[-1], _service_of(handler)), name
