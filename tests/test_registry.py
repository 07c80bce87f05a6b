"""The function table of the whole app, as the Functions host will index it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from croniter import croniter

from function_app import app
from tracking.api.routing import ROUTE_PREFIX

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def functions() -> list[Any]:
    app.functions_bindings = None  # get_functions() refuses a second call otherwise
    return app.get_functions()


def _settings() -> dict[str, str]:
    return json.loads((ROOT / "local.settings.example.json").read_text())["Values"]


def test_function_names_are_unique(functions: list[Any]) -> None:
    names = [f.get_function_name().lower() for f in functions]
    assert len(names) == len(set(names))


def test_http_routes_are_relative_unique_and_have_explicit_methods(functions: list[Any]) -> None:
    seen: set[tuple[str, str]] = set()
    for function in functions:
        trigger = function.get_trigger()
        if trigger.type != "httpTrigger":
            continue
        assert not trigger.route.startswith(("/", "api/")), trigger.route
        assert trigger.methods, f"{function.get_function_name()} must list its methods"
        for method in trigger.methods:
            key = (trigger.route.lower(), method.value)
            assert key not in seen, f"duplicate route {key}"
            seen.add(key)


def test_timer_schedules_are_six_field_ncrontab_and_never_run_on_startup(functions: list[Any]) -> None:
    settings = _settings()
    for function in functions:
        trigger = function.get_trigger()
        if trigger.type != "timerTrigger":
            continue
        expression = trigger.schedule
        if expression.startswith("%"):
            expression = settings[expression.strip("%")]
        assert len(expression.split()) == 6, expression
        assert croniter.is_valid(expression, second_at_beginning=True), expression
        assert not trigger.run_on_startup


def test_host_json_prefix_and_bundle() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["extensions"]["http"]["routePrefix"] == "api" == ROUTE_PREFIX.strip("/")
    assert host["extensionBundle"]["version"] == "[4.*, 5.0.0)"
    assert "functionTimeout" in host


def test_every_declared_setting_is_in_the_example_settings() -> None:
    from tracking.config import ALL_SETTINGS

    assert {setting.name for setting in ALL_SETTINGS} <= set(_settings())


def test_every_declared_setting_is_documented_in_the_readme() -> None:
    from tracking.config import ALL_SETTINGS

    readme = (ROOT / "README.md").read_text()
    assert [s.name for s in ALL_SETTINGS if f"| `{s.name}` |" not in readme] == []


def test_every_route_is_in_the_api_reference(functions: list[Any]) -> None:
    def shape(route: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", route)

    documented = {shape(m) for m in re.findall(r"^### `([A-Z]+ /api/[^`?]*)", (ROOT / "docs/api.md").read_text(), re.M)}
    missing = []
    for function in functions:
        trigger = function.get_trigger()
        if trigger.type == "httpTrigger" and trigger.route != "{*path}":  # the catch-all is the 404/405 answer
            missing += [
                f"{m.value} /api/{trigger.route}"
                for m in trigger.methods
                if shape(f"{m.value} /api/{trigger.route}") not in documented
            ]
    assert missing == []


def test_the_timers_table_is_every_timer_the_app_registers(functions: list[Any]) -> None:
    from tracking.timers import TIMERS

    registered = {}
    for function in functions:
        trigger = function.get_trigger()
        if trigger.type != "timerTrigger":
            continue
        user_function = function.get_user_function()
        # A timer that binds a Durable client is wrapped; the function it runs is the client function.
        runs = getattr(user_function, "client_function", user_function)
        registered[function.get_function_name()] = (trigger.schedule, f"{runs.__module__}.{runs.__name__}")
    assert registered == {timer.name: (timer.schedule, timer.runs) for timer in TIMERS}
