"""Profile badges: what each metric says, as a shields-style SVG or in the shields.io endpoint format. Pure.

The SVG is drawn here (the "flat" style of shields.io): two rounded boxes, label and message in Verdana
11px. Text widths are estimated from a small table of character classes, and each text carries
``textLength`` so a renderer fits it to the box exactly. Every text is XML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from tracking.domain.durations import duration_text

Metric = Literal["total", "today", "week", "streak", "rank-week"]
METRICS: tuple[Metric, ...] = ("total", "today", "week", "streak", "rank-week")

# How long a badge may be cached (shields.io and browsers): totals move with every session.
BADGE_MAX_AGE_SECONDS = 300

# The named colours of shields.io this module uses, as they draw them.
COLORS = {
    "blue": "#007ec6",
    "brightgreen": "#4c1",
    "orange": "#fe7d37",
    "lightgrey": "#9f9f9f",
}
LABEL_COLOR = "#555"


@dataclass(frozen=True)
class Badge:
    label: str
    message: str
    color: str  # a key of COLORS


PRIVATE = Badge(label="DisTrack", message="private", color="lightgrey")

_LABELS: dict[Metric, str] = {
    "total": "coding time",
    "today": "today",
    "week": "this week",
    "streak": "streak",
    "rank-week": "weekly rank",
}


def time_badge(metric: Metric, seconds: float) -> Badge:
    """``total``, ``today`` or ``week``: whole hours and minutes, as WakaTime's badges show them."""
    return Badge(label=_LABELS[metric], message=duration_text(seconds).text, color="blue")


def streak_badge(days: int) -> Badge:
    message = "1 day" if days == 1 else f"{days} days"
    return Badge(label=_LABELS["streak"], message=message, color="orange" if days else "lightgrey")


def rank_badge(rank: int | None) -> Badge:
    if rank is None:
        return Badge(label=_LABELS["rank-week"], message="unranked", color="lightgrey")
    return Badge(label=_LABELS["rank-week"], message=f"#{rank}", color="brightgreen")


def shields_endpoint(badge: Badge) -> dict[str, Any]:
    """The shields.io endpoint format (https://shields.io/badges/endpoint-badge)."""
    return {
        "schemaVersion": 1,
        "label": badge.label,
        "message": badge.message,
        "color": badge.color,
        "cacheSeconds": BADGE_MAX_AGE_SECONDS,
    }


# Approximate advances of Verdana at 11px.
_NARROW = frozenset("ijlI.,:;'!|")
_SEMI = frozenset("frt()[]{}- /")
_WIDE = frozenset("mwMW%@")


def text_width(text: str) -> float:
    width = 0.0
    for character in text:
        if character in _NARROW:
            width += 3.5
        elif character in _SEMI:
            width += 4.6
        elif character in _WIDE:
            width += 10.0
        elif character.isupper() or character.isdigit() or character == "#":
            width += 7.5
        else:
            width += 6.6
    return round(width, 1)


PADDING = 10


def badge_svg(badge: Badge) -> str:
    label_text, message_text = text_width(badge.label), text_width(badge.message)
    label_width, message_width = round(label_text + PADDING, 1), round(message_text + PADDING, 1)
    width = round(label_width + message_width, 1)
    title = f"{badge.label}: {badge.message}"
    label, message = escape(badge.label), escape(badge.message)
    color = COLORS[badge.color]

    def text(x: float, content: str, length: float) -> str:
        shadow = f'<text x="{x}" y="15" fill="#010101" fill-opacity=".3" textLength="{length}">{content}</text>'
        return f'{shadow}<text x="{x}" y="14" textLength="{length}">{content}</text>'

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{label_width}" height="20" fill="{LABEL_COLOR}"/>'
        f'<rect x="{label_width}" width="{message_width}" height="20" fill="{color}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f"{text(round(label_width / 2, 2), label, label_text)}"
        f"{text(round(label_width + message_width / 2, 2), message, message_text)}"
        "</g></svg>"
    )
