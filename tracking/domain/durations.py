"""Durations as WakaTime clients show them: ``2 hrs 17 mins``, ``2:17``, ``2.28``."""

from __future__ import annotations

from dataclasses import dataclass


def _unit(count: int, name: str) -> str:
    return f"{count} {name}" if count == 1 else f"{count} {name}s"


@dataclass(frozen=True)
class DurationText:
    total_seconds: float
    hours: int
    minutes: int
    seconds: int

    @property
    def text(self) -> str:
        """Whole hours and minutes; seconds only when under a minute, as the status bar shows it."""
        if self.hours == 0 and self.minutes == 0:
            return _unit(self.seconds, "sec")
        parts = [_unit(self.hours, "hr")] if self.hours else []
        return " ".join([*parts, _unit(self.minutes, "min")] if self.minutes else parts)

    @property
    def digital(self) -> str:
        return f"{self.hours}:{self.minutes:02d}:{self.seconds:02d}"

    @property
    def clock(self) -> str:
        """``H:MM``, the grand total's ``digital`` in WakaTime's answers."""
        return f"{self.hours}:{self.minutes:02d}"

    @property
    def decimal(self) -> str:
        """Hours to two places, from the whole minutes (WakaTime's ``decimal``)."""
        return f"{self.hours + self.minutes / 60:.2f}"


def duration_text(seconds: float) -> DurationText:
    whole = max(0, int(seconds))
    return DurationText(total_seconds=seconds, hours=whole // 3600, minutes=whole % 3600 // 60, seconds=whole % 60)
