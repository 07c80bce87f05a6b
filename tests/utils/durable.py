"""A fake orchestration context for driving orchestrator generators without a host."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest.mock import MagicMock, Mock


class Failed:
    """A task whose result raises, as a failed activity's does."""

    def __init__(self, name: str, error: Exception):
        self.message = f"Activity function '{name}' failed: {error}"

    @property
    def result(self) -> Any:
        raise RuntimeError(self.message)


def fake_context(results: Callable[[str, Any], Any], **attributes: Any) -> MagicMock:
    """A context whose activities answer ``results(name, payload)``; one that raises becomes a failed task.

    ``attributes`` are set on the context (``instance_id``, ``current_utc_datetime``, ...).
    """
    context = MagicMock()
    for name, value in attributes.items():
        setattr(context, name, value)

    def call_activity(name: str, payload: Any) -> Any:
        try:
            return Mock(result=results(name, payload))
        except RuntimeError as error:
            return Failed(name, error)

    def task_all(tasks: list[Any]) -> Any:
        failed = [task for task in tasks if isinstance(task, Failed)]
        return failed[0] if failed else Mock(result=[task.result for task in tasks])

    context.call_activity.side_effect = call_activity
    context.task_all.side_effect = task_all
    return context
