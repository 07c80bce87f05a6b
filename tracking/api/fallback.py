"""The catch-all route: an unknown route answers 404 and a known route called with the wrong method 405, in JSON.

It must know every other route without importing the blueprint list (which lists it), so the list is
handed in: ``tracking.blueprints`` builds this blueprint from the blueprints it registers before it.
The route table is built on the first unmatched request, after the app has registered everything.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import azure.functions as func

from tracking.api.auth import PUBLIC
from tracking.api.http import endpoint
from tracking.api.routing import ALL_METHODS, RouteTable, http_functions, http_route
from tracking.errors import MethodNotAllowed, NotFound


def route_table(blueprints: Sequence[func.Blueprint]) -> RouteTable:
    """The HTTP routes of ``blueprints``, as the Functions host indexes them."""
    routes = (http_route(function, function.get_function_name()) for function in http_functions(blueprints))
    return RouteTable(route for route in routes if route is not None)


def catch_all(routed: Sequence[func.Blueprint]) -> func.Blueprint:
    """A blueprint with the one ``not_found`` function, answering for every route not in ``routed``."""
    bp = func.Blueprint()
    others = functools.cache(lambda: route_table(routed))

    @bp.function_name("not_found")
    @bp.route(route="{*path}", methods=list(ALL_METHODS), auth_level=func.AuthLevel.ANONYMOUS)
    @endpoint(auth=PUBLIC)
    def not_found(req: func.HttpRequest) -> func.HttpResponse:
        path = req.route_params.get("path", "")
        found = others().match(req.method, path)
        if found.allowed_methods:
            allowed = ", ".join(sorted(found.allowed_methods))
            raise MethodNotAllowed(
                f"Method {req.method} is not allowed on /api/{path}; allowed: {allowed}", headers={"Allow": allowed}
            )
        raise NotFound(f"No route /api/{path}")

    return bp
