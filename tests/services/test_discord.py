"""The Discord client against the fake Discord: avatars only from the configured CDN, the OAuth failures told apart."""

from __future__ import annotations

import pytest

from tests.utils.fake_discord import CLIENT_ID, CLIENT_SECRET, FakeDiscord, avatar_png
from tests.utils.receiver import closed_port
from tracking.services import discord

AVATAR_PATH = "/avatars/111111111111111111/0123456789abcdef0123456789abcdef.png"


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:
    fake_discord.reset()
    return fake_discord


def test_an_avatar_is_fetched_from_the_cdn_only(fake: FakeDiscord) -> None:
    url = f"{fake.base_url}{AVATAR_PATH}"
    assert discord.fetch_avatar(url, cdn_url=fake.base_url) == avatar_png()
    assert discord.fetch_avatar(url, cdn_url="https://cdn.discordapp.com") is None
    # A host that only starts like the CDN's is another host.
    assert discord.fetch_avatar(f"{fake.base_url}0{AVATAR_PATH}", cdn_url=fake.base_url) is None
    assert fake.avatar_requests == [AVATAR_PATH]


def test_an_answer_that_is_no_image_is_no_avatar(fake: FakeDiscord) -> None:
    assert discord.fetch_avatar(f"{fake.base_url}/users/@me", cdn_url=fake.base_url) is None  # 401 JSON


def _fetch(fake: FakeDiscord, code: str) -> object:
    return discord.fetch_user(
        api_base=fake.base_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri="https://site.test/cb",
        scopes=("identify",),
        code=code,
    )


def test_the_exchange_reads_the_user_and_tells_refusal_from_outage(fake: FakeDiscord) -> None:
    fake.add_code("good", {"id": "111111111111111111", "username": "ada"})
    assert _fetch(fake, "good") == {"id": "111111111111111111", "username": "ada"}
    with pytest.raises(discord.DiscordRefused):
        _fetch(fake, "good")  # a code is good once
    fake.outage = True
    with pytest.raises(discord.DiscordUnavailable):
        _fetch(fake, "any")


def test_an_unreachable_discord_is_unavailable() -> None:
    with pytest.raises(discord.DiscordUnavailable):
        discord.fetch_user(
            api_base=f"http://127.0.0.1:{closed_port()}",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri="https://site.test/cb",
            scopes=("identify",),
            code="c",
        )
