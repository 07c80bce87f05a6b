"""Credited time: the union of a user's session intervals, with language seconds that fit inside it.

Two VS Code windows open over the same hour credit one hour. Each session spreads its language
seconds evenly over its interval (scaled down when they add up to more than its duration); where
sessions overlap, the instant is credited once and its language share is the average of the
covering sessions' shares, so language seconds never exceed the credited time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Span:
    """One session as an interval, with its seconds per language."""

    start: datetime
    end: datetime
    languages: Mapping[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def language_shares(self) -> dict[str, float]:
        """Fraction of each second of the span that goes to each language (summing to at most 1)."""
        duration = self.seconds
        if duration <= 0:
            return {}
        listed = sum(self.languages.values())
        scale = 1 / max(listed, duration)
        return {language: seconds * scale for language, seconds in self.languages.items() if seconds > 0}


@dataclass(frozen=True)
class Credit:
    seconds: float = 0.0
    languages: dict[str, float] = field(default_factory=dict)


def credit(spans: Iterable[Span], start: datetime, end: datetime) -> Credit:
    """Credited seconds within ``[start, end)`` and their split by language (one sweep over the ends)."""
    events: list[tuple[datetime, int, dict[str, float]]] = []
    for span in spans:
        left, right = max(span.start, start), min(span.end, end)
        if left < right:
            shares = span.language_shares()
            events.append((left, 1, shares))
            events.append((right, -1, shares))
    events.sort(key=lambda event: (event[0], event[1]))
    total = 0.0
    languages: dict[str, float] = {}
    active = 0
    share_sums: dict[str, float] = {}
    previous: datetime | None = None
    for moment, change, shares in events:
        if active and previous is not None and moment > previous:
            seconds = (moment - previous).total_seconds()
            total += seconds
            for language, share in share_sums.items():
                if share > 0:
                    languages[language] = languages.get(language, 0.0) + seconds * share / active
        active += change
        for language, share in shares.items():
            share_sums[language] = share_sums.get(language, 0.0) + change * share
        previous = moment
    return Credit(total, languages)


def merge(spans: Iterable[Span]) -> list[tuple[datetime, datetime]]:
    """The union of the spans as disjoint, sorted intervals."""
    merged: list[tuple[datetime, datetime]] = []
    for span in sorted(spans, key=lambda s: s.start):
        if span.start >= span.end:
            continue
        if merged and span.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span.end))
        else:
            merged.append((span.start, span.end))
    return merged
