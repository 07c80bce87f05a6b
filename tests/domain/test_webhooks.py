"""Webhook rules: targets, Discord URLs, which events a subscription wants, rank moves, retries, schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracking.domain.profiles import is_public_host
from tracking.domain.webhooks import (
    Event,
    Subscription,
    check_target,
    delivery_id,
    disabled_reason,
    discord_body,
    event_id,
    next_attempt_at,
    next_scheduled,
    rank_move,
    refused_address,
    streak_milestones_crossed,
    streak_start,
    wants,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DISCORD_TOKEN = "a" * 68


def subscription(**fields: object) -> Subscription:
    defaults: dict[str, object] = {
        "id": "wh_1",
        "url": "https://example.com/hook",
        "events": ("rank.changed", "board.closed", "achievement.earned", "ping"),
        "format": "standard",
        "board": "week",
        "top": 10,
        "schedule": None,
        "timezone": "UTC",
        "description": None,
        "enabled": True,
        "disabled_reason": None,
        "failing_since": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Subscription(**{**defaults, **fields})  # type: ignore[arg-type]


def rank_event(rank: int, previous: int | None, board: str = "week") -> Event:
    data = {"userId": "1", "username": "ada", "board": board, "periodKey": "2026-W49", "rank": rank}
    return Event("evt_1", "rank.changed", {**data, "previousRank": previous, "total": 60.0}, NOW)


@pytest.mark.parametrize(
    "url",
    [
        "https://discord.com/api/webhooks/123456789012345678/" + DISCORD_TOKEN,
        "https://discordapp.com/api/webhooks/123456789012345678/" + DISCORD_TOKEN,
        "https://ptb.discord.com/api/webhooks/123456789012345678/" + DISCORD_TOKEN,
        "https://canary.discord.com/api/v10/webhooks/123456789012345678/" + DISCORD_TOKEN,
    ],
)
def test_discord_webhook_urls_are_accepted_for_the_discord_format(url: str) -> None:
    assert check_target(url, format="discord", allow_insecure_loopback=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://discord.com/api/webhooks/123/" + DISCORD_TOKEN,  # not a snowflake
        "https://discord.com/channels/123456789012345678/123456789012345678",
        "https://evil.discord.com.example.org/api/webhooks/123456789012345678/" + DISCORD_TOKEN,
        "https://example.com/hook",
        "https://discord.com/api/webhooks/123456789012345678/" + DISCORD_TOKEN + "?wait=true&x=1 2",
    ],
)
def test_other_urls_are_refused_for_the_discord_format(url: str) -> None:
    with pytest.raises(ValueError):
        check_target(url, format="discord", allow_insecure_loopback=False)


def test_insecure_loopback_is_only_http_to_127_0_0_1_with_a_port_and_only_when_allowed() -> None:
    assert check_target("http://127.0.0.1:8080/hook", format="discord", allow_insecure_loopback=True)
    for url in ("http://127.0.0.1/hook", "http://localhost:8080/hook", "http://127.0.0.2:8080/hook"):
        with pytest.raises(ValueError, match="https"):
            check_target(url, format="standard", allow_insecure_loopback=True)
    with pytest.raises(ValueError, match="https"):
        check_target("http://127.0.0.1:8080/hook", format="standard", allow_insecure_loopback=False)


@pytest.mark.parametrize("address", ["224.0.0.251", "239.255.255.250", "ff02::1", "ff0e::1"])
def test_multicast_addresses_are_not_public(address: str) -> None:
    assert is_public_host(address) is False
    assert refused_address(address) is not None


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "100.64.0.1",
        "0.0.0.0",
        "240.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address: str) -> None:
    assert refused_address(address) == (
        f"resolves to {address}, a private, loopback, link-local, multicast or reserved address"
    )


def test_public_addresses_are_allowed() -> None:
    assert refused_address("93.184.215.14") is None
    assert refused_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c") is None


def test_event_and_delivery_ids_depend_only_on_what_they_are_about() -> None:
    assert event_id("board.closed", "week", "2026-W48") == event_id("board.closed", "week", "2026-W48")
    assert event_id("board.closed", "week", "2026-W48") != event_id("board.closed", "week", "2026-W49")
    assert delivery_id("wh_1", "evt_1") == delivery_id("wh_1", "evt_1") != delivery_id("wh_2", "evt_1")


def test_rank_changed_is_wanted_when_the_user_enters_the_top_or_takes_the_lead() -> None:
    top3 = subscription(top=3)
    assert wants(top3, rank_event(3, None))
    assert wants(top3, rank_event(2, 5))
    assert not wants(top3, rank_event(2, 3))  # already in the top 3
    assert not wants(top3, rank_event(4, 9))  # still outside
    assert wants(top3, rank_event(1, 2))  # overtook the leader
    assert not wants(top3, rank_event(1, 1))
    assert not wants(top3, rank_event(1, None, board="day"))
    assert not wants(subscription(top=3, events=("ping",)), rank_event(1, 2))
    assert not wants(subscription(top=3, enabled=False), rank_event(1, 2))


def test_board_closed_goes_to_the_subscriptions_of_its_board_and_a_ping_to_its_own() -> None:
    closed = Event("evt_2", "board.closed", {"board": "day", "standings": []}, NOW)
    assert wants(subscription(board="day"), closed) and not wants(subscription(board="week"), closed)
    ping = Event("evt_3", "ping", {"subscriptionId": "wh_1"}, NOW)
    assert wants(subscription(), ping) and not wants(subscription(id="wh_2"), ping)


def test_rank_move_finds_the_place_before_from_the_page_after() -> None:
    page = [("c", 7260.0), ("a", 7200.0), ("b", 3600.0)]
    assert rank_move(page, user_id="c", gain=60, limit=4) == rank_move(page, user_id="c", gain=60, limit=3)
    move = rank_move(page, user_id="c", gain=60, limit=4)
    assert move is not None and (move.rank, move.previous_rank) == (1, 2)  # a tie with "a" ranked "a" first
    assert rank_move(page, user_id="c", gain=10, limit=4) is None  # 7250 was first already
    new = rank_move([("a", 100.0), ("c", 50.0)], user_id="c", gain=50, limit=4)
    assert new is not None and (new.rank, new.previous_rank) == (2, None)  # not on the board before
    climbed = rank_move([("a", 100.0), ("c", 90.0), ("b", 80.0)], user_id="c", gain=20, limit=3)
    assert climbed is not None and (climbed.rank, climbed.previous_rank) == (2, None)  # below the page before
    assert rank_move([("a", 100.0)], user_id="c", gain=20, limit=3) is None  # not on the page after


def test_retries_follow_the_delays_then_stop() -> None:
    delays = (60, 300, 1800, 7200, 43200)
    assert [next_attempt_at(delays, failed_in_round=n, now=NOW) for n in range(1, 7)] == [
        NOW + timedelta(minutes=1),
        NOW + timedelta(minutes=5),
        NOW + timedelta(minutes=30),
        NOW + timedelta(hours=2),
        NOW + timedelta(hours=12),
        None,
    ]


def test_a_subscription_failing_for_a_day_is_disabled_with_the_reason() -> None:
    assert disabled_reason(None, NOW) is None
    assert disabled_reason(NOW - timedelta(hours=23, minutes=59), NOW) is None
    since = NOW - timedelta(days=1)
    assert disabled_reason(since, NOW) == "Every delivery failed since 2026-11-30T12:00:00Z"


def test_a_schedule_is_a_daily_or_weekly_time_in_its_time_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert next_scheduled("daily 09:00", paris, NOW) == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert next_scheduled("daily 18:30", paris, NOW) == datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    assert next_scheduled("weekly mon 09:00", paris, NOW) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    # Summer time: 09:00 in Paris is 07:00 UTC.
    assert next_scheduled("daily 09:00", paris, datetime(2026, 7, 1, tzinfo=UTC)) == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )


def test_streak_milestones_are_crossed_once() -> None:
    assert streak_milestones_crossed(6, 7) == [7]
    assert streak_milestones_crossed(7, 8) == []
    assert streak_milestones_crossed(0, 365) == [7, 30, 100, 365]
    assert streak_start(date(2026, 12, 1), 7) == date(2026, 11, 25)


def test_discord_body_is_one_embed_without_mentions() -> None:
    body = discord_body(rank_event(1, 4))
    assert body == {
        "username": "DisTrack",
        "allowed_mentions": {"parse": []},
        "embeds": [
            {
                "title": "ada takes the lead this week",
                "description": "Up from #4 with 0h 01m (2026-W49).",
                "color": 0x5865F2,
                "timestamp": "2026-12-01T12:00:00Z",
                "footer": {"text": "DisTrack · rank.changed"},
            }
        ],
    }
