"""Fixed-window rate limits: which window an event falls in, and whether it is still allowed. Pure, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per fixed ``window``."""

    name: str
    count: int
    window: timedelta


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: int


@dataclass(frozen=True)
class Window:
    """The counter of one subject under one limit until ``ends_at``."""

    key: str
    ends_at: datetime


def window_start(now: datetime, window: timedelta) -> datetime:
    """Start of the fixed window holding ``now`` (windows are aligned on the epoch)."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def window_at(limit: Limit, subject: str, now: datetime) -> Window:
    start = window_start(now, limit.window)
    return Window(key=f"{limit.name}:{subject}:{int(start.timestamp())}", ends_at=start + limit.window)


def decide(count: int, limit: Limit, window: Window, now: datetime) -> Decision:
    """Event number ``count`` of its window is allowed up to the limit; refused ones retry when the window ends."""
    retry_after = max(1, math.ceil((window.ends_at - now).total_seconds()))
    return Decision(allowed=count <= limit.count, retry_after_seconds=retry_after)


def decide_next(count_so_far: int, limit: Limit, window: Window, now: datetime) -> Decision:
    """Whether the attempt about to be made (number ``count_so_far + 1``) would be allowed."""
    return decide(count_so_far + 1, limit, window, now)
