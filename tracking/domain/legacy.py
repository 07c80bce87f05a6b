"""Time from before this server: the replaced server's totals, kept as a baseline so nothing is lost.

The replaced server added every session to ``users.totalCodingTime`` and ``users.languages`` and
kept no daily totals. The first time this server derives a user's totals, it keeps what the
document held as ``baselineCodingTime`` and ``baselineLanguages``; from then on the totals are the
baseline plus the daily totals. A user created by this server has a baseline of 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracking.domain.profiles import User


def baseline(user: User) -> tuple[float, dict[str, float]]:
    """Seconds and seconds per language (the bot's keys) the user had before this server tracked them."""
    if user.baseline_coding_time is not None:
        return float(user.baseline_coding_time), dict(user.baseline_languages or {})
    languages = {
        name: float(seconds)
        for name, seconds in (user.languages or {}).items()
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0
    }
    total = user.total_coding_time
    return (float(total) if isinstance(total, int | float) and total > 0 else 0.0), languages


def add_languages(first: Mapping[str, float], second: Mapping[str, float]) -> dict[str, float]:
    return {name: first.get(name, 0.0) + second.get(name, 0.0) for name in first.keys() | second.keys()}
