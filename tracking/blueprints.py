"""Every blueprint of the app, in one place: function_app.py registers these, the router reads them."""

from __future__ import annotations

import azure.functions as func

from tracking.api import admin, keys, leaderboards, link, sessions, stats, system, users
from tracking.api.routing import Route, http_route
from tracking.jobs import cleanup, operations, rebuild, streaks
from tracking.jobs import leaderboards as leaderboard_jobs

BLUEPRINTS: tuple[func.Blueprint, ...] = (
    system.bp,
    leaderboards.bp,
    leaderboard_jobs.bp,
    sessions.bp,
    stats.bp,
    users.bp,
    keys.bp,
    link.bp,
    admin.bp,
    cleanup.bp,
    rebuild.bp,
    operations.bp,
    streaks.bp,
)


def http_routes() -> list[Route]:
    """The HTTP routes of every blueprint, with the function name as target."""
    probe = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for blueprint in BLUEPRINTS:
        probe.register_functions(blueprint)
    routes = (http_route(function, function.get_function_name()) for function in probe.get_functions())
    return [route for route in routes if route is not None]
