"""The profile card: a 1200x630 PNG for link previews (Open Graph, Twitter), drawn with Pillow. Pure.

The text uses Pillow's own font (``ImageFont.load_default(size=...)``), so nothing is read from disk; it
draws Latin text and shows other scripts as boxes. The avatar is the image bytes the caller fetched, or a
circle with the name's first letter when there are none or they are not an image.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
CARD_MAX_AGE_SECONDS = 3600
AVATAR_SIZE = 200
# Larger avatars are refused before they are decoded (Discord's are at most 4096 pixels a side).
MAX_AVATAR_PIXELS = 4096 * 4096

BACKGROUND = (30, 31, 34)
PANEL = (43, 45, 49)
ACCENT = (88, 101, 242)
TEXT = (242, 243, 245)
MUTED = (181, 186, 193)


@dataclass(frozen=True)
class ProfileCard:
    """What a card, a badge and an embed page show of a public user."""

    user_id: str
    name: str
    username: str
    avatar_url: str | None
    total_seconds: float
    current_streak: int
    longest_streak: int
    top_languages: tuple[str, ...]
    week_rank: int | None

    @property
    def version(self) -> str:
        """Changes whenever anything the card shows does: the ``?v=`` of its URL, so previews refresh."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:16]


def hours_text(seconds: float) -> str:
    return f"{int(seconds // 3600):,}h"


def days_text(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def rank_text(rank: int | None) -> str:
    return f"#{rank}" if rank is not None else "unranked"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> str:
    """``text``, cut with an ellipsis where it would pass ``width`` pixels."""
    font = _font(size)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _avatar(image_bytes: bytes | None, initial: str) -> Image.Image:
    """The avatar as a circle, or the initial on the accent colour."""
    mask = Image.new("L", (AVATAR_SIZE, AVATAR_SIZE), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, AVATAR_SIZE - 1, AVATAR_SIZE - 1), fill=255)
    picture: Image.Image | None = None
    if image_bytes:
        try:
            with Image.open(io.BytesIO(image_bytes)) as opened:
                if opened.width * opened.height <= MAX_AVATAR_PIXELS:
                    picture = opened.convert("RGB").resize((AVATAR_SIZE, AVATAR_SIZE))
        except (OSError, ValueError, Image.DecompressionBombError):
            picture = None
    if picture is None:
        picture = Image.new("RGB", (AVATAR_SIZE, AVATAR_SIZE), ACCENT)
        draw = ImageDraw.Draw(picture)
        draw.text((AVATAR_SIZE / 2, AVATAR_SIZE / 2), initial.upper(), font=_font(96), fill=TEXT, anchor="mm")
    circle = Image.new("RGBA", (AVATAR_SIZE, AVATAR_SIZE), (0, 0, 0, 0))
    circle.paste(picture, (0, 0), mask)
    return circle


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 12), fill=ACCENT)
    draw.text((80, HEIGHT - 70), "DisTrack", font=_font(36), fill=ACCENT)
    return image, draw


def render_private_card() -> bytes:
    """The neutral card of a private profile: no name, no figure."""
    image, draw = _canvas()
    draw.text((WIDTH / 2, HEIGHT / 2 - 30), "This profile is private", font=_font(64), fill=TEXT, anchor="mm")
    draw.text((WIDTH / 2, HEIGHT / 2 + 50), "DisTrack coding time", font=_font(32), fill=MUTED, anchor="mm")
    return _png(image)


def render_card(card: ProfileCard, avatar: bytes | None) -> bytes:
    image, draw = _canvas()
    circle = _avatar(avatar, card.name[:1] or "?")
    image.paste(circle, (80, 80), circle)
    text_left, text_width = 320, WIDTH - 320 - 80
    draw.text((text_left, 100), _fit(draw, card.name, 64, text_width), font=_font(64), fill=TEXT)
    draw.text((text_left, 185), _fit(draw, f"@{card.username}", 32, text_width), font=_font(32), fill=MUTED)

    figures = (
        ("Total", hours_text(card.total_seconds)),
        ("Streak", days_text(card.current_streak)),
        ("Longest", days_text(card.longest_streak)),
        ("Week rank", rank_text(card.week_rank)),
    )
    box_width, gap, top = 240, 20, 330
    for index, (label, value) in enumerate(figures):
        left = 80 + index * (box_width + gap)
        draw.rounded_rectangle((left, top, left + box_width, top + 130), radius=16, fill=PANEL)
        draw.text((left + 24, top + 20), label, font=_font(28), fill=MUTED)
        draw.text((left + 24, top + 60), _fit(draw, value, 48, box_width - 48), font=_font(48), fill=TEXT)

    languages = ", ".join(card.top_languages) if card.top_languages else "no languages yet"
    draw.text((80, 490), _fit(draw, f"Top languages: {languages}", 32, WIDTH - 160), font=_font(32), fill=TEXT)
    return _png(image)
