"""Webhooks: which events a subscription wants, what its receiver is sent, when a failed delivery is retried.

Pure rules, no I/O. An event has a deterministic id built from what it is about (``event_id``), so the
same fact recorded twice (a retried ingest, a second snapshot run) is one event; the id is the
``webhook-id`` every attempt of its delivery carries, by which receivers deduplicate. Targets are https
URLs to public hosts (the one rule of ``profiles.is_public_host``), Discord subscriptions Discord's own
webhook URLs; ``http://127.0.0.1:<port>`` passes only where insecure loopback is allowed (development).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from croniter import croniter

from tracking.domain.profiles import URL_MAX_LENGTH, is_public_host

EventType = Literal["rank.changed", "achievement.earned", "streak.milestone", "board.closed", "ping"]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
WebhookFormat = Literal["standard", "discord"]
# The boards a subscription follows for rank.changed and board.closed (the rolling board never closes).
WebhookBoard = Literal["day", "week", "month", "allTime"]
WEBHOOK_BOARDS: tuple[WebhookBoard, ...] = get_args(WebhookBoard)
DEFAULT_BOARD: WebhookBoard = "week"
DEFAULT_TOP = 10
MAX_TOP = 25  # the most places a digest lists, one line each in a Discord embed
STREAK_MILESTONES = (7, 30, 100, 365)

DeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]
AttemptStatus = Literal["sending", "succeeded", "failed"]
# How long a sender may hold an attempt it claimed before another sender takes the attempt over.
ATTEMPT_LEASE = timedelta(seconds=60)
# A subscription whose every delivery failed for this long is disabled.
FAILING_LIMIT = timedelta(days=1)
SEND_TIMEOUT_SECONDS = 5.0
RESPONSE_EXCERPT_BYTES = 4096

DISCORD_WEBHOOK_URL = re.compile(
    r"^https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/(?:v\d+/)?webhooks/\d{17,20}/[A-Za-z0-9_-]{1,100}$"
)
INSECURE_LOOPBACK_URL = re.compile(r"^http://127\.0\.0\.1:\d{1,5}(?:/[^\s]*)?$")
SCHEDULE_PATTERN = re.compile(r"^(?:daily|weekly (mon|tue|wed|thu|fri|sat|sun)) ([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    events: tuple[EventType, ...]
    format: WebhookFormat
    board: WebhookBoard
    top: int
    schedule: str | None
    timezone: str
    description: str | None
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Event:
    id: str
    type: EventType
    data: dict[str, Any]
    created_at: datetime


def event_id(*parts: object) -> str:
    """The id of the fact ``parts`` describe: the same fact always gets the same id."""
    return "evt_" + hashlib.sha256("|".join(str(part) for part in parts).encode("utf-8")).hexdigest()[:32]


def delivery_id(subscription_id: str, event: str) -> str:
    """One delivery per subscription and event: fanning an event out twice makes no second delivery."""
    return "dlv_" + hashlib.sha256(f"{subscription_id}|{event}".encode()).hexdigest()[:32]


def is_insecure_loopback(url: str) -> bool:
    return bool(INSECURE_LOOPBACK_URL.fullmatch(url))


def check_target(url: str, *, format: WebhookFormat, allow_insecure_loopback: bool) -> str:
    """A URL a webhook may be sent to, or ValueError saying why not (the host's addresses are checked apart)."""
    if len(url) > URL_MAX_LENGTH:
        raise ValueError(f"must be at most {URL_MAX_LENGTH} characters")
    if allow_insecure_loopback and is_insecure_loopback(url):
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
        raise ValueError("must be an https:// URL")
    if parts.username or parts.password:
        raise ValueError("must not carry a user name or password")
    if not is_public_host(parts.hostname):
        raise ValueError("must not point at a private, loopback, link-local or multicast address")
    if format == "discord" and not DISCORD_WEBHOOK_URL.fullmatch(url):
        raise ValueError("must be a Discord webhook URL: https://discord.com/api/webhooks/<id>/<token>")
    return url


def refused_address(address: str) -> str | None:
    """Why a resolved address may not be sent to, None when it is public."""
    if is_public_host(address):
        return None
    return f"resolves to {address}, a private, loopback, link-local, multicast or reserved address"


def check_schedule(value: str) -> str:
    if not SCHEDULE_PATTERN.fullmatch(value):
        raise ValueError('must be "daily HH:MM" or "weekly <mon|tue|...|sun> HH:MM"')
    return value


def next_scheduled(schedule: str, zone: ZoneInfo, after: datetime) -> datetime:
    """The first time ``schedule`` comes round in ``zone`` after ``after`` (a UTC instant)."""
    match = SCHEDULE_PATTERN.fullmatch(schedule)
    if match is None:
        raise ValueError(f"invalid schedule {schedule!r}")
    weekday, hour, minute = match.groups()
    expression = f"{int(minute)} {int(hour)} * * {weekday or '*'}"
    local: datetime = croniter(expression, after.astimezone(zone)).get_next(datetime)
    return local.astimezone(after.tzinfo)


def next_attempt_at(delays: Sequence[int], *, failed_in_round: int, now: datetime) -> datetime | None:
    """When to try again after the ``failed_in_round``-th failed attempt in a row, None when retries are over."""
    if failed_in_round > len(delays):
        return None
    return now + timedelta(seconds=delays[failed_in_round - 1])


def disabled_reason(failing_since: datetime | None, now: datetime) -> str | None:
    """Why a subscription whose deliveries keep failing is disabled now, None while it may go on."""
    if failing_since is None or now - failing_since < FAILING_LIMIT:
        return None
    return f"Every delivery failed since {failing_since.isoformat().replace('+00:00', 'Z')}"


def wants(subscription: Subscription, event: Event) -> bool:
    """Whether ``event`` is for ``subscription``: its type, its board, and for ranks the places it watches."""
    if not subscription.enabled or event.type not in subscription.events:
        return False
    data = event.data
    if event.type == "ping":
        return bool(data.get("subscriptionId") == subscription.id)
    if event.type == "board.closed":
        return bool(data["board"] == subscription.board)
    if event.type == "rank.changed":
        if data["board"] != subscription.board:
            return False
        previous = data["previousRank"]
        rank = int(data["rank"])
        entered_top = rank <= subscription.top and (previous is None or previous > subscription.top)
        took_lead = rank == 1 and previous != 1
        return entered_top or took_lead
    return True


@dataclass(frozen=True)
class RankMove:
    rank: int
    previous_rank: int | None  # None: not among the places looked at before


def rank_move(entries: Sequence[tuple[str, float]], *, user_id: str, gain: float, limit: int) -> RankMove | None:
    """The user's move on a board page read after their total grew by ``gain``; None when they did not move.

    ``entries`` are the first ``limit`` entries of the board in rank order (total descending, then userId).
    Their place before is where their old total falls among the others on the page.
    """
    position = next((index for index, (entry, _) in enumerate(entries) if entry == user_id), None)
    if position is None or gain <= 0:
        return None
    old_total = entries[position][1] - gain
    others = [(entry, total) for entry, total in entries if entry != user_id]
    ahead = sum(1 for entry, total in others if total > old_total or (total == old_total and entry < user_id))
    page_was_full = len(entries) >= limit
    previous = None if old_total <= 0 or (page_was_full and ahead == len(others)) else ahead + 1
    if previous == position + 1:
        return None
    return RankMove(rank=position + 1, previous_rank=previous)


def streak_milestones_crossed(before: int, after: int) -> list[int]:
    return [days for days in STREAK_MILESTONES if before < days <= after]


def streak_start(last_day: date, length: int) -> date:
    return last_day - timedelta(days=length - 1)


def payload(event: Event) -> dict[str, Any]:
    """The JSON body of the standard format (Standard Webhooks: ``type``, ``timestamp``, ``data``)."""
    return {"id": event.id, "type": event.type, "timestamp": _iso(event.created_at), "data": event.data}


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def body_for(subscription: Subscription, event: Event) -> dict[str, Any]:
    """What the subscription's receiver is sent for ``event``, in the subscription's format."""
    shown = _trimmed(subscription, event)
    return discord_body(shown) if subscription.format == "discord" else payload(shown)


def _trimmed(subscription: Subscription, event: Event) -> Event:
    if event.type != "board.closed":
        return event
    standings = event.data["standings"][: subscription.top]
    return Event(event.id, event.type, {**event.data, "standings": standings}, event.created_at)


# Discord's limits on a webhook message's embed.
DISCORD_TITLE_MAX = 256
DISCORD_DESCRIPTION_MAX = 4096
DISCORD_FIELD_VALUE_MAX = 1024
DISCORD_COLOUR = 0x5865F2
BOARD_LABELS: Mapping[str, str] = {"day": "today", "week": "this week", "month": "this month", "allTime": "all time"}
CLOSED_LABELS: Mapping[str, str] = {"day": "Daily", "week": "Weekly", "month": "Monthly", "allTime": "All-time"}


def hours_text(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"


def _who(data: Mapping[str, Any]) -> str:
    return str(data.get("username") or data["userId"])


def discord_body(event: Event) -> dict[str, Any]:
    """A Discord channel-webhook message: one embed saying what happened (Discord's documented limits kept)."""
    data = event.data
    if event.type == "rank.changed":
        board = BOARD_LABELS[data["board"]]
        title = f"{_who(data)} is #{data['rank']} {board}"
        if data["rank"] == 1:
            title = f"{_who(data)} takes the lead {board}"
        previous = data["previousRank"]
        description = f"Up from #{previous}" if previous else "New in the top places"
        description += f" with {hours_text(data['total'])} ({data['periodKey']})."
    elif event.type == "achievement.earned":
        achievement = data["achievement"]
        title = f"{_who(data)} earned {achievement['name']}"
        description = str(achievement["description"])
    elif event.type == "streak.milestone":
        title = f"{_who(data)} reached a {data['days']}-day streak"
        description = f"{data['days']} days of coding in a row."
    elif event.type == "board.closed":
        title = f"{CLOSED_LABELS[data['board']]} results: {data['periodKey']}"
        lines = [
            f"**{row['rank']}.** {row.get('username') or row['userId']}: {hours_text(row['total'])}"
            for row in data["standings"]
        ]
        description = "\n".join(lines) or "Nobody coded in this period."
    else:
        title = "DisTrack webhook ping"
        description = "This subscription reaches its receiver."
    embed = {
        "title": title[:DISCORD_TITLE_MAX],
        "description": description[:DISCORD_DESCRIPTION_MAX],
        "color": DISCORD_COLOUR,
        "timestamp": _iso(event.created_at),
        "footer": {"text": f"DisTrack · {event.type}"},
    }
    return {"username": "DisTrack", "embeds": [embed], "allowed_mentions": {"parse": []}}


def excerpt(body: bytes) -> str:
    """At most the first RESPONSE_EXCERPT_BYTES of a receiver's answer, as text."""
    return body[:RESPONSE_EXCERPT_BYTES].decode("utf-8", errors="replace")


def new_signing_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def new_subscription_id() -> str:
    return "wh_" + secrets.token_hex(12)
