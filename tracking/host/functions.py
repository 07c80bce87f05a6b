"""The functions of an app, found with ``app.get_functions()`` and called the way the worker calls them."""

from __future__ import annotations

import asyncio
import inspect
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import azure.functions as func

from tracking import config
from tracking.api.routing import RouteTable, http_route

_SETTING_REFERENCE = re.compile(r"^%([A-Za-z0-9_]+)%$")


@dataclass
class HostedFunction:
    name: str
    function: func.Function

    @property
    def trigger(self) -> Any:
        return self.function.get_trigger()

    def durable_client_binding(self) -> str | None:
        binding = next((b for b in self.function.get_bindings() if b.type == "durableClient"), None)
        return binding.name if binding else None

    def invoke(self, trigger_value: Any, durable_client: Callable[[], Any]) -> Any:
        """Call the user function with its trigger (and a durable client when it binds one)."""
        user_function = self.function.get_user_function()
        arguments = {self.trigger.name: trigger_value}
        client_name = self.durable_client_binding()
        if client_name:
            user_function = user_function.client_function  # type: ignore[attr-defined]
            arguments[client_name] = durable_client()
        result = user_function(**arguments)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return result


def resolve_schedule(schedule: str) -> str:
    """A timer schedule, with ``%SETTING%`` read from the environment or the setting's default."""
    reference = _SETTING_REFERENCE.match(schedule)
    if reference is None:
        return config.ncrontab(schedule)
    name = reference.group(1)
    raw = os.environ.get(name, "")
    if not raw.strip():
        declared = config.find_setting(name)
        if declared is None or declared.default is None:
            raise config.SettingError(f"Setting {name} is required by a timer schedule and is not set")
        raw = declared.default
    try:
        return config.ncrontab(raw)
    except ValueError as error:
        raise config.SettingError(f"Setting {name}={raw!r} is invalid: {error}") from error


class AppFunctions:
    """Every function of one FunctionApp, grouped by trigger type."""

    def __init__(self, app: func.FunctionApp):
        app.functions_bindings = None  # get_functions() refuses a second call otherwise
        self.all = [HostedFunction(str(f.get_function_name()), f) for f in app.get_functions()]
        self.http = [f for f in self.all if f.trigger.type == "httpTrigger"]
        self.timers = [f for f in self.all if f.trigger.type == "timerTrigger"]
        self.orchestrators = [f for f in self.all if f.trigger.type == "orchestrationTrigger"]
        self.activities = [f for f in self.all if f.trigger.type == "activityTrigger"]
        routes = (http_route(f.function, f) for f in self.http)
        self.routes = RouteTable(route for route in routes if route is not None)

    def by_name(self, name: str) -> HostedFunction | None:
        return next((f for f in self.all if f.name.lower() == name.lower()), None)

    def orchestrator_handles(self) -> dict[str, Callable[[str], str]]:
        return {f.name: f.function.get_user_function() for f in self.orchestrators}

    def activity_callables(self) -> dict[str, Callable[[Any], Any]]:
        def bind(hosted: HostedFunction) -> Callable[[Any], Any]:
            user_function = hosted.function.get_user_function()
            return lambda value: user_function(**{hosted.trigger.name: value})

        return {f.name: bind(f) for f in self.activities}
