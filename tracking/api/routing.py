"""Azure Functions route templates, matched the way the Functions host matches them.

The local host dispatches with this table, and the catch-all function uses it to tell an unknown
route (404) from a known route called with the wrong method (405). Precedence follows ASP.NET
routing: per segment, literals beat constrained parameters and complex segments (``{metric}.svg``),
which beat plain, optional and catch-all parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import azure.functions as func

_PARAMETER = re.compile(
    r"^\{(?P<star>\*)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<constraint>[^}?]+))?(?P<optional>\?)?\}$"
)

# A complex segment of one parameter and a literal extension, such as ``{metric}.svg``.
_PARAMETER_WITH_SUFFIX = re.compile(r"^\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}(?P<suffix>\.[A-Za-z0-9]+)$")

# host.json's extensions.http.routePrefix: every HTTP route is served under it.
ROUTE_PREFIX = "/api"

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "alpha": r"[A-Za-z]+",
    "bool": r"(?:true|false)",
    "guid": r"[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}",
}


@dataclass(frozen=True)
class Route:
    template: str
    methods: frozenset[str]
    target: Any
    pattern: re.Pattern[str] = field(compare=False)
    precedence: tuple[int, ...] = field(compare=False)


def compile_route(template: str, methods: Iterable[str], target: Any) -> Route:
    parts: list[str] = []
    precedence: list[int] = []
    for segment in template.strip("/").split("/") if template.strip("/") else []:
        match = _PARAMETER.match(segment)
        suffixed = _PARAMETER_WITH_SUFFIX.match(segment)
        if suffixed is not None:
            parts.append(f"/(?P<{suffixed['name']}>[^/]+?){re.escape(suffixed['suffix'])}")
            precedence.append(1)  # its literal part ranks it with the constrained parameters
            continue
        if match is None:
            parts.append("/" + re.escape(segment))
            precedence.append(0)
            continue
        name = match["name"]
        if match["star"]:
            parts.append(f"(?:/(?P<{name}>.*))?")
            precedence.append(4)
            continue
        constraint = (match["constraint"] or "").split("(")[0]
        value = _CONSTRAINTS.get(constraint, r"[^/]+")
        if match["optional"]:
            parts.append(f"(?:/(?P<{name}>{value}))?")
            precedence.append(3)
        else:
            parts.append(f"/(?P<{name}>{value})")
            precedence.append(1 if constraint in _CONSTRAINTS else 2)
    pattern = re.compile("^" + "".join(parts) + r"/?\Z", re.IGNORECASE)
    return Route(
        template=template,
        methods=frozenset(method.upper() for method in methods),
        target=target,
        pattern=pattern,
        precedence=tuple(precedence),
    )


def _is_http(function: func.Function) -> bool:
    trigger: Any = function.get_trigger()
    return trigger is not None and trigger.type == "httpTrigger"


def http_functions(blueprints: Iterable[func.Blueprint]) -> list[func.Function]:
    """The HTTP-triggered functions of ``blueprints``, as the Functions host indexes them."""
    probe = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for blueprint in blueprints:
        probe.register_functions(blueprint)
    return [function for function in probe.get_functions() if _is_http(function)]


def trigger_methods(function: func.Function) -> list[str]:
    """The methods an HTTP function answers: no methods means every method, as the Functions host reads it."""
    trigger: Any = function.get_trigger()
    return [method.value for method in trigger.methods] if trigger.methods else list(ALL_METHODS)


def http_route(function: func.Function, target: Any) -> Route | None:
    """The route of an HTTP-triggered function, None for other triggers."""
    if not _is_http(function):
        return None
    trigger: Any = function.get_trigger()
    return compile_route(trigger.route, trigger_methods(function), target)


@dataclass(frozen=True)
class RouteMatch:
    route: Route | None
    params: dict[str, str]
    allowed_methods: frozenset[str]


class RouteTable:
    def __init__(self, routes: Iterable[Route]):
        self.routes = sorted(routes, key=lambda route: route.precedence)

    def match(self, method: str, path: str) -> RouteMatch:
        """Find the route for ``path`` (relative to the route prefix, without leading slash)."""
        path = "/" + path.strip("/") if path.strip("/") else ""
        allowed: set[str] = set()
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if method.upper() in route.methods:
                params = {name: value for name, value in found.groupdict().items() if value is not None}
                return RouteMatch(route, params, frozenset(allowed | route.methods))
            allowed |= route.methods
        return RouteMatch(None, {}, frozenset(allowed))
