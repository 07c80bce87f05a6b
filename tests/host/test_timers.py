from __future__ import annotations

import threading

import azure.functions as func
import pytest
from azure.functions.timer import TimerRequest

from tracking.config import SettingError
from tracking.host.functions import AppFunctions, HostedFunction, resolve_schedule
from tracking.host.timers import TimerScheduler

bp = func.Blueprint()
fired = threading.Event()


@bp.timer_trigger(schedule="%TEST_TICK_SCHEDULE%", arg_name="timer", run_on_startup=False)
def tick(timer: func.TimerRequest) -> None:
    fired.set()


def test_percent_schedule_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_TICK_SCHEDULE", "0 0 2 * * Sun")
    assert resolve_schedule("%TEST_TICK_SCHEDULE%") == "0 0 2 * * Sun"


def test_missing_or_bad_schedule_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_TICK_SCHEDULE", raising=False)
    with pytest.raises(SettingError, match="TEST_TICK_SCHEDULE is required"):
        resolve_schedule("%TEST_TICK_SCHEDULE%")
    monkeypatch.setenv("TEST_TICK_SCHEDULE", "*/5 * * * *")
    with pytest.raises(SettingError, match="TEST_TICK_SCHEDULE"):
        resolve_schedule("%TEST_TICK_SCHEDULE%")


def test_timer_fires_on_its_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_TICK_SCHEDULE", "* * * * * *")
    app = func.FunctionApp()
    app.register_functions(bp)
    functions = AppFunctions(app)
    requests: list[TimerRequest] = []

    def fire(hosted: HostedFunction, request: TimerRequest) -> None:
        requests.append(request)
        hosted.invoke(request, lambda: None)

    fired.clear()
    scheduler = TimerScheduler(functions.timers, fire)
    scheduler.start()
    try:
        assert fired.wait(5)
    finally:
        scheduler.stop()
    assert requests[0].past_due is False
    assert requests[0].schedule_status["Next"] is not None


def test_a_running_timer_is_not_started_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_TICK_SCHEDULE", "0 0 2 * * Sun")
    app = func.FunctionApp()
    app.register_functions(bp)
    release = threading.Event()
    scheduler = TimerScheduler(AppFunctions(app).timers, lambda hosted, request: release.wait(5) and None)
    assert scheduler.run_now("tick") is True
    assert scheduler.run_now("tick") is False
    release.set()
