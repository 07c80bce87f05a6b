"""Timer triggers of the local host, fired on their NCRONTAB schedules in UTC."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from azure.functions.timer import TimerRequest
from croniter import croniter

from tracking.host.functions import HostedFunction, resolve_schedule

logger = logging.getLogger("tracking.host.timers")


class TimerScheduler:
    """One thread that sleeps until the next due timer; each run gets its own thread.

    Like the Functions host, a timer whose previous run is still going is not started twice.
    """

    def __init__(self, timers: list[HostedFunction], fire: Callable[[HostedFunction, TimerRequest], None]):
        self._schedules = {timer.name: resolve_schedule(timer.trigger.schedule) for timer in timers}
        self._timers = {timer.name: timer for timer in timers}
        self._fire = fire
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="timer-scheduler", daemon=True)

    def schedule_of(self, name: str) -> str:
        return self._schedules[name]

    def start(self) -> None:
        if self._timers:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        now = datetime.now(UTC)
        due = {
            name: croniter(expr, now, second_at_beginning=True).get_next(datetime)
            for name, expr in self._schedules.items()
        }
        while not self._stop.is_set():
            name = min(due, key=lambda timer_name: due[timer_name])
            wait = (due[name] - datetime.now(UTC)).total_seconds()
            if wait > 0 and self._stop.wait(min(wait, 1.0)):
                return
            if wait > 0:
                continue
            next_due = croniter(self._schedules[name], due[name], second_at_beginning=True).get_next(datetime)
            self.run_now(name, last=due[name], next_due=next_due)
            due[name] = next_due

    def run_now(self, name: str, *, last: datetime | None = None, next_due: datetime | None = None) -> bool:
        """Start one run in the background; False when the previous run is still going."""
        with self._lock:
            if name in self._running:
                logger.warning("timer %s is still running; skipping this occurrence", name)
                return False
            self._running.add(name)
        status = {
            "Last": (last or datetime.now(UTC)).isoformat(),
            "Next": next_due.isoformat() if next_due else None,
            "LastUpdated": datetime.now(UTC).isoformat(),
        }
        request = TimerRequest(past_due=False, schedule_status=status, schedule={"AdjustForDST": False})
        threading.Thread(target=self._run, args=(name, request), name=f"timer-{name}", daemon=True).start()
        return True

    def _run(self, name: str, request: TimerRequest) -> None:
        try:
            self._fire(self._timers[name], request)
        except Exception:
            logger.exception("timer %s failed", name)
        finally:
            with self._lock:
                self._running.discard(name)
