"""Badges, the profile card and the embed page over real HTTP; the user signs in with the fake Discord."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.utils.factories import USER_A, USER_B, bearer, create_api_key, create_user
from tests.utils.fake_discord import WEBSITE, FakeDiscord, sign_in
from tests.utils.fake_discord import query_of as _query
from tests.utils.hosts import SERVICE_KEY, RunningHost
from tracking.domain.durations import duration_text

AVATAR = "0123456789abcdef0123456789abcdef"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def host(discord_host: RunningHost, fake_discord: FakeDiscord) -> RunningHost:
    discord_host.clear_database()
    fake_discord.reset()
    return discord_host


def _coded_seconds() -> int:
    """90 minutes up to now, or less just after midnight UTC: one day and one week of the boards and the streak."""
    now = datetime.now(UTC)
    since_midnight = int((now - now.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds())
    return max(60, min(5400, since_midnight - 10))


def _sign_in_ada(host: RunningHost, fake: FakeDiscord, global_name: str = "Ada") -> str:
    """Ada signs in with Discord (so her avatar is on the fake CDN) and codes Python and Go just now.

    Returns how long, as the badges write it (``1 hr 30 mins`` but just after midnight).
    """
    sign_in(host, fake, {"id": USER_A, "username": "ada", "global_name": global_name, "avatar": AVATAR})
    seconds = _coded_seconds()
    session = {
        "userId": USER_A,
        "duration": seconds,
        "sessionDate": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
        "languages": {"python": seconds * 0.9, "go": seconds * 0.1},
    }
    key = bearer(create_api_key(host.db, scope="ingest", user_id=USER_A))
    assert host.post("coding-session", json=session, headers=key).status_code == 200
    return duration_text(seconds).text


def _svg_texts(body: str) -> list[str]:
    root = ET.fromstring(body)
    assert root.tag == f"{SVG}svg" and root.get("height") == "20"
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_svg_badges_of_each_metric(host: RunningHost, fake_discord: FakeDiscord) -> None:
    coded = _sign_in_ada(host, fake_discord)
    expected = {
        "total": ("coding time", coded),
        "today": ("today", coded),
        "week": ("this week", coded),
        "streak": ("streak", "1 day"),
        "rank-week": ("weekly rank", "#1"),
    }
    for metric, (label, message) in expected.items():
        response = host.get(f"badge/{USER_A}/{metric}.svg")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert response.headers["Cache-Control"] == "public, max-age=300"
        # Each text is drawn twice, shadow then text, as shields.io draws it.
        assert _svg_texts(response.text) == [label, label, message, message], metric


def test_json_badges_in_the_shields_endpoint_format(host: RunningHost, fake_discord: FakeDiscord) -> None:
    coded = _sign_in_ada(host, fake_discord)
    create_user(host.db, USER_B, "grace")
    response = host.get(f"badge/{USER_A}/total.json")
    assert (response.status_code, response.json()) == (
        200,
        {"schemaVersion": 1, "label": "coding time", "message": coded, "color": "blue", "cacheSeconds": 300},
    )
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert host.get(f"badge/{USER_B}/rank-week.json").json() == {
        "schemaVersion": 1,
        "label": "weekly rank",
        "message": "unranked",
        "color": "lightgrey",
        "cacheSeconds": 300,
    }
    assert host.get(f"badge/{USER_B}/streak.json").json()["message"] == "0 days"


def test_a_private_user_gets_a_neutral_badge_and_card(host: RunningHost, fake_discord: FakeDiscord) -> None:
    _sign_in_ada(host, fake_discord, global_name="Secret Ada")
    assert host.put(f"user-profile/{USER_A}", json={"isPublic": False}, headers=bearer(SERVICE_KEY)).ok
    for metric in ("total", "rank-week"):
        assert _svg_texts(host.get(f"badge/{USER_A}/{metric}.svg").text) == [
            "DisTrack",
            "DisTrack",
            "private",
            "private",
        ]
        assert host.get(f"badge/{USER_A}/{metric}.json").json() == {
            "schemaVersion": 1,
            "label": "DisTrack",
            "message": "private",
            "color": "lightgrey",
            "cacheSeconds": 300,
        }
    card = host.get(f"embed/{USER_A}/card.png")
    assert card.status_code == 200 and Image.open(io.BytesIO(card.content)).size == (1200, 630)
    assert fake_discord.avatar_requests == []  # no card data: not even the avatar
    page = host.get(f"embed/{USER_A}", headers={"User-Agent": "Discordbot/2.0"})
    assert "Secret Ada" not in page.text and "This profile is private." in page.text


def test_unknown_users_and_metrics_are_404(host: RunningHost) -> None:
    create_user(host.db, USER_A, "ada")
    unknown = "333333333333333333"
    for path in (f"badge/{unknown}/total.svg", f"badge/{unknown}/total.json", f"embed/{unknown}/card.png"):
        response = host.get(path)
        assert (response.status_code, response.json()) == (404, {"message": "User not found"}), path
    assert host.get(f"embed/{unknown}", headers={"User-Agent": "Twitterbot/1.0"}).status_code == 404
    no_metric = host.get(f"badge/{USER_A}/lines.svg")
    assert (no_metric.status_code, no_metric.json()) == (
        404,
        {"message": "No such badge. Metrics: total, today, week, streak, rank-week"},
    )


def test_the_card_is_a_1200x630_png_with_the_avatar_fetched_once(host: RunningHost, fake_discord: FakeDiscord) -> None:
    _sign_in_ada(host, fake_discord)
    first = host.get(f"embed/{USER_A}/card.png")
    assert first.status_code == 200
    assert (first.headers["Content-Type"], first.headers["Cache-Control"]) == ("image/png", "public, max-age=3600")
    image = Image.open(io.BytesIO(first.content))
    assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "RGB")
    # The fake's avatar is red: it is drawn at the avatar's place.
    assert image.getpixel((180, 180)) == (200, 40, 40)
    assert fake_discord.avatar_requests == [f"/avatars/{USER_A}/{AVATAR}.png"]

    again = host.get(f"embed/{USER_A}/card.png")
    assert again.content == first.content
    assert len(fake_discord.avatar_requests) == 1  # the same card content: drawn once


def test_an_avatar_off_discords_cdn_is_never_fetched(host: RunningHost, fake_discord: FakeDiscord) -> None:
    create_user(host.db, USER_A, "ada")
    assert host.put(
        f"user-profile/{USER_A}", json={"avatarUrl": "https://images.example.org/ada.png"}, headers=bearer(SERVICE_KEY)
    ).ok
    card = host.get(f"embed/{USER_A}/card.png")
    assert card.status_code == 200
    image = Image.open(io.BytesIO(card.content))
    assert image.size == (1200, 630) and image.getpixel((180, 180)) != (200, 40, 40)  # the letter stands in
    assert fake_discord.avatar_requests == []


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "meta" and (found.get("property") or found.get("name")) and found.get("content") is not None:
            self.meta[str(found.get("property") or found.get("name"))] = str(found["content"])


def test_crawlers_get_an_escaped_page_and_everyone_else_the_website(
    host: RunningHost, fake_discord: FakeDiscord
) -> None:
    hostile = '<script>alert("x")</script>'
    _sign_in_ada(host, fake_discord, global_name=hostile)

    page = host.get(f"embed/{USER_A}", headers={"User-Agent": "Mozilla/5.0 (compatible; Discordbot/2.0)"})
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert (page.headers["Vary"], page.headers["Cache-Control"]) == ("User-Agent", "public, max-age=600")
    assert "<script>" not in page.text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
    parsed = _Meta()
    parsed.feed(page.text)
    assert parsed.scripts == 0
    meta = parsed.meta
    assert meta["og:title"] == f"{hostile} on DisTrack"
    assert meta["og:url"] == f"{WEBSITE}/user/{USER_A}"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == meta["twitter:image"]
    image = urlsplit(meta["og:image"])
    assert f"{image.scheme}://{image.netloc}/api" == host.base_url
    assert image.path == f"/api/embed/{USER_A}/card.png" and len(_query(meta["og:image"])["v"]) == 16
    assert "coded, a 1 day streak" in meta["og:description"] and "python, go" in meta["og:description"]
    # The card the page names is the card.
    assert host.get(meta["og:image"].removeprefix(host.base_url + "/")).status_code == 200

    browser = host.get(f"embed/{USER_A}", headers={"User-Agent": "Mozilla/5.0 Firefox/140.0"}, allow_redirects=False)
    assert (browser.status_code, browser.headers["Location"]) == (302, f"{WEBSITE}/user/{USER_A}")


def test_the_card_version_changes_with_the_card(host: RunningHost, fake_discord: FakeDiscord) -> None:
    _sign_in_ada(host, fake_discord)
    crawler: dict[str, Any] = {"headers": {"User-Agent": "Slackbot-LinkExpanding 1.0"}}
    before = _Meta()
    before.feed(host.get(f"embed/{USER_A}", **crawler).text)
    assert host.put(f"user-profile/{USER_A}", json={"displayName": "Countess"}, headers=bearer(SERVICE_KEY)).ok
    after = _Meta()
    after.feed(host.get(f"embed/{USER_A}", **crawler).text)
    assert before.meta["og:image"] != after.meta["og:image"]
    assert after.meta["og:title"] == "Countess on DisTrack"
