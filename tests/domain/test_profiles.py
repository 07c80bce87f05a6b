"""Profile rules: what a profile shows, and what a profile edit accepts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracking.domain import profiles
from tracking.domain.access import ANONYMOUS, Caller
from tracking.domain.profiles import (
    PUBLIC_PROFILE_FIELDS,
    User,
    can_see_profile,
    check_https_url,
    check_socials,
    is_real_username,
    is_valid_timezone,
    new_user,
    public_profile,
)

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def test_timezones_must_be_iana_names() -> None:
    assert is_valid_timezone("Europe/Paris") and is_valid_timezone("UTC")
    assert not is_valid_timezone("GMT+1") and not is_valid_timezone("../etc/passwd") and not is_valid_timezone("")


@pytest.mark.parametrize("url", ["http://a.example/x.png", "javascript:alert(1)", "https://", "https://a b.example"])
def test_only_https_urls_are_accepted(url: str) -> None:
    with pytest.raises(ValueError):
        check_https_url(url)


def test_socials_keys_cannot_become_operators_or_paths() -> None:
    assert check_socials({"github": "https://github.com/ada"}) == {"github": "https://github.com/ada"}
    for key in ("$where", "a.b", ""):
        with pytest.raises(ValueError):
            check_socials({key: "https://x.example"})


def test_placeholder_names_are_not_real() -> None:
    assert [is_real_username(n) for n in ("ada", "EFU", None, " ")] == [True, False, False, False]


def test_public_profile_is_an_explicit_list_without_secrets() -> None:
    profile = public_profile(new_user(user_id="1", username="ada", now=NOW))
    assert tuple(profile) == PUBLIC_PROFILE_FIELDS
    assert not {"_id", "linkCode", "linkAPIKey", "deviceId", "__v"} & profile.keys()


def test_a_bot_created_user_reads_with_defaults() -> None:
    profile = public_profile(User(user_id="1", username="ada", languages={"python": 5}))
    assert profile["timezone"] == "UTC" and profile["isPublic"] is True and profile["createdAt"] is None
    assert profile["languages"]["python"] == 5 and profile["languages"]["other"] == 0
    assert len(profile["languages"]) == 26


def test_a_private_profile_is_seen_only_by_whoever_acts_for_its_user() -> None:
    private = User(user_id="1", is_public=False)
    assert can_see_profile(User(user_id="1", is_public=True), ANONYMOUS)
    assert not can_see_profile(private, ANONYMOUS)
    assert not can_see_profile(private, Caller(scope="ingest", user_id="2"))
    assert can_see_profile(private, Caller(scope="ingest", user_id="1"))
    assert can_see_profile(private, Caller(scope="service"))


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/a.png",
        "https://10.0.0.5/",
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest",
        "https://[::1]/",
        "https://[fe80::1]/",
        "https://localhost/x",
        "https://printer.local/",
        "https://intranet/",
    ],
)
def test_urls_to_private_loopback_or_link_local_hosts_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="must not point at a private, loopback or link-local address"):
        profiles.check_https_url(url)


def test_a_public_https_url_is_kept_verbatim() -> None:
    url = "https://cdn.discordapp.com/avatars/1/a.png?size=64"
    assert profiles.check_https_url(url) == url


@pytest.mark.parametrize("name", ["ada\x00", "ada\x1b[31m", "ada\r\nadmin", "\u202eadmin", "ad\u2066a"])
def test_a_name_with_control_or_bidi_characters_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="must not contain control characters"):
        profiles.check_display_text(name)
