"""Badges, the profile card and the embed page, built without I/O: SVG parsed as XML, PNG decoded, HTML escaped."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from tracking.domain import badges, cards, embeds
from tracking.domain.cards import ProfileCard

SVG = "{http://www.w3.org/2000/svg}"
CARD = ProfileCard(
    user_id="111111111111111111",
    name="Ada",
    username="ada",
    avatar_url=None,
    total_seconds=45_000,
    current_streak=1,
    longest_streak=12,
    top_languages=("python", "go"),
    week_rank=3,
)


def _png(image_bytes: bytes) -> Image.Image:
    return Image.open(io.BytesIO(image_bytes))


def test_each_metric_reads_as_wakatime_and_shields_write_it() -> None:
    assert badges.time_badge("total", 45_000) == badges.Badge("coding time", "12 hrs 30 mins", "blue")
    assert badges.time_badge("today", 0).message == "0 secs"
    assert badges.streak_badge(1) == badges.Badge("streak", "1 day", "orange")
    assert badges.streak_badge(0) == badges.Badge("streak", "0 days", "lightgrey")
    assert badges.rank_badge(3) == badges.Badge("weekly rank", "#3", "brightgreen")
    assert badges.rank_badge(None) == badges.Badge("weekly rank", "unranked", "lightgrey")
    assert badges.shields_endpoint(badges.PRIVATE) == {
        "schemaVersion": 1,
        "label": "DisTrack",
        "message": "private",
        "color": "lightgrey",
        "cacheSeconds": 300,
    }


def test_the_svg_is_xml_with_escaped_text_and_boxes_that_fit_it() -> None:
    badge = badges.Badge(label='a<b>&"c"', message="12 hrs", color="blue")
    root = ET.fromstring(badges.badge_svg(badge))
    assert root.tag == f"{SVG}svg"
    assert root.get("aria-label") == 'a<b>&"c": 12 hrs'
    assert [text.text for text in root.iter(f"{SVG}text")] == ['a<b>&"c"', 'a<b>&"c"', "12 hrs", "12 hrs"]
    label_box, message_box = list(root.iter(f"{SVG}rect"))[1:3]
    assert float(label_box.get("width") or 0) == badges.text_width(badge.label) + badges.PADDING
    assert float(root.get("width") or 0) == pytest.approx(
        float(label_box.get("width") or 0) + float(message_box.get("width") or 0)
    )
    assert message_box.get("fill") == badges.COLORS["blue"]
    assert badges.text_width("mmm") > badges.text_width("iii")


def test_the_card_is_a_1200x630_rgb_png() -> None:
    image = _png(cards.render_card(CARD, None))
    assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "RGB")
    assert image.getpixel((180, 180)) == cards.ACCENT  # the letter's circle stands in for the avatar
    private = _png(cards.render_private_card())
    assert (private.size, private.mode) == ((1200, 630), "RGB")


def test_an_avatar_is_drawn_and_bad_bytes_are_not() -> None:
    avatar = io.BytesIO()
    Image.new("RGB", (64, 64), (0, 200, 0)).save(avatar, format="PNG")
    assert _png(cards.render_card(CARD, avatar.getvalue())).getpixel((180, 180)) == (0, 200, 0)
    assert _png(cards.render_card(CARD, b"<html>not an image</html>")).getpixel((180, 180)) == cards.ACCENT
    huge = io.BytesIO()
    Image.new("1", (5000, 5000)).save(huge, format="PNG")
    assert _png(cards.render_card(CARD, huge.getvalue())).getpixel((180, 180)) == cards.ACCENT


def test_the_card_version_follows_what_it_shows() -> None:
    assert CARD.version == ProfileCard(**{**CARD.__dict__}).version
    assert CARD.version != ProfileCard(**{**CARD.__dict__, "week_rank": 4}).version
    assert len(CARD.version) == 16


def test_crawlers_by_user_agent() -> None:
    assert embeds.is_crawler("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)")
    assert embeds.is_crawler("facebookexternalhit/1.1")
    assert embeds.is_crawler("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
    assert not embeds.is_crawler("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    assert not embeds.is_crawler(None)


def test_the_page_escapes_every_value() -> None:
    hostile = ProfileCard(**{**CARD.__dict__, "name": '<script>alert("x")</script>', "top_languages": ("<b>",)})
    page = embeds.embed_page(
        card=hostile, image_url='https://api.test/x.png?v=1&"', profile_url="https://site.test/user/1"
    )
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; on DisTrack" in page
    assert 'content="https://api.test/x.png?v=1&amp;&quot;"' in page
    private = embeds.embed_page(card=None, image_url="https://api.test/x.png", profile_url="https://site.test/user/1")
    assert "A private DisTrack profile" in private and "Ada" not in private
