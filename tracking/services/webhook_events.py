"""Recording webhook events in the outbox, in the path that produces them (crediting, a period's close).

Crediting a batch already knows what it changed: the achievements it crossed, the streak before and
after, and how many seconds it added to each board entry (``CreditPlan.gains``). So an achievement or a
streak milestone costs no read, and a rank change one page read per board a subscription watches (its
top places, written just before). The events are inserted under the claim that writes the plan, before
the user document is (tracking.services.ingest), with ids that depend only on the fact, so a retried
write records nothing twice.

Which events anyone wants is read from ``webhooks`` at most every ``WATCH_SECONDS`` per process, so
crediting costs no extra round trip for a community without webhooks; a subscription created or changed
in this process is seen at once, in another within those seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from tracking.domain.credit import EPSILON, CreditPlan, StoredTotals
from tracking.domain.days import local_today
from tracking.domain.periods import Period, period_at
from tracking.domain.profiles import DEFAULT_USERNAME
from tracking.domain.webhooks import (
    MAX_TOP,
    Event,
    Subscription,
    WebhookBoard,
    event_id,
    rank_move,
    streak_milestones_crossed,
    streak_start,
    wants,
)
from tracking.store import boards, users, webhookevents, webhooks

WATCH_SECONDS = 5.0


@dataclass(frozen=True)
class _Watched:
    subscriptions: tuple[Subscription, ...]
    read_at: float


_watched: dict[str, _Watched] = {}
_watched_lock = threading.Lock()


def watching(db: Database[Any]) -> tuple[Subscription, ...]:
    """The enabled subscriptions, read again when the copy of this process is older than WATCH_SECONDS."""
    with _watched_lock:
        cached = _watched.get(db.name)
    if cached is not None and time.monotonic() - cached.read_at < WATCH_SECONDS:
        return cached.subscriptions
    found = tuple(webhooks.find_enabled_subscriptions(db))
    with _watched_lock:
        _watched[db.name] = _Watched(found, time.monotonic())
    return found


def forget_watching(db: Database[Any]) -> None:
    """A subscription changed: the next event reads them afresh."""
    with _watched_lock:
        _watched.pop(db.name, None)


def _wanted_by_any(subscriptions: tuple[Subscription, ...], event: Event) -> bool:
    return any(wants(subscription, event) for subscription in subscriptions)


def record_credit_events(
    db: Database[Any],
    *,
    totals: StoredTotals,
    plan: CreditPlan,
    username: str | None,
    version: int,
    now: datetime,
    board_zone: ZoneInfo,
) -> int:
    """Record what crediting ``plan`` (as credit ``version`` of the user) makes happen; returns the new events."""
    subscriptions = watching(db)
    # A private or archived user's progress is nobody's news: only users on the boards make events.
    if not subscriptions or plan.user is None or not totals.listed:
        return 0
    user_id = totals.user_id
    who = {"userId": user_id, "username": username or DEFAULT_USERNAME}
    candidates = [
        Event(
            event_id("achievement.earned", user_id, milestone.name),
            "achievement.earned",
            {**who, "achievement": milestone.stored()},
            now,
        )
        for milestone in plan.user.awarded
    ]
    today = local_today(now, totals.zone)
    before = totals.streak_days.moved_to(today).streak(today, longest_before=totals.longest_streak).current
    after = plan.user.current_streak
    if plan.user.last_streak_day is not None:
        started = streak_start(plan.user.last_streak_day, after).isoformat()
        candidates += [
            Event(
                event_id("streak.milestone", user_id, days, started),
                "streak.milestone",
                {**who, "days": days, "streakStartedOn": started},
                now,
            )
            for days in streak_milestones_crossed(before, after)
        ]
    candidates += _rank_events(db, subscriptions, who=who, plan=plan, version=version, now=now, zone=board_zone)
    events = [event for event in candidates if _wanted_by_any(subscriptions, event)]
    return sum(webhookevents.insert_events(db, events)) if events else 0


def _rank_events(
    db: Database[Any],
    subscriptions: tuple[Subscription, ...],
    *,
    who: dict[str, Any],
    plan: CreditPlan,
    version: int,
    now: datetime,
    zone: ZoneInfo,
) -> list[Event]:
    """A rank.changed event per watched board whose current period the batch moved the user up in."""
    watched: dict[WebhookBoard, int] = {}
    for subscription in subscriptions:
        if "rank.changed" in subscription.events:
            watched[subscription.board] = max(watched.get(subscription.board, 0), subscription.top)
    found: list[Event] = []
    for board, top in watched.items():
        period = period_at(board, now, zone)
        gain = plan.gains.get((period.timeframe, period.key), 0.0)
        if gain <= EPSILON:
            continue
        # One place more than watched: whoever the user passed on the way in is on the page too.
        page = boards.find_page(db, board=board, key=period.key, offset=0, limit=top + 1)
        move = rank_move([(e.user_id, e.total) for e in page], user_id=who["userId"], gain=gain, limit=top + 1)
        if move is None:
            continue
        total = next(entry.total for entry in page if entry.user_id == who["userId"])
        data = {
            **who,
            "board": board,
            "periodKey": period.key,
            "rank": move.rank,
            "previousRank": move.previous_rank,
            "total": total,
        }
        found.append(
            Event(event_id("rank.changed", board, period.key, who["userId"], version), "rank.changed", data, now)
        )
    return found


def record_board_closed(db: Database[Any], *, period: Period, zone: ZoneInfo, now: datetime) -> bool:
    """Record the final standing of a period that closed; False when no one watches it or it was recorded."""
    subscriptions = watching(db)
    if not any("board.closed" in s.events and s.board == period.timeframe for s in subscriptions):
        return False
    page = boards.find_page(db, board=period.timeframe, key=period.key, offset=0, limit=MAX_TOP)
    names = users.find_usernames_by_ids(db, [entry.user_id for entry in page])
    standings = [
        {
            "rank": rank,
            "userId": entry.user_id,
            "username": names.get(entry.user_id) or DEFAULT_USERNAME,
            "total": entry.total,
        }
        for rank, entry in enumerate(page, start=1)
    ]
    data = {
        "board": period.timeframe,
        "periodKey": period.key,
        "start": period.start.isoformat().replace("+00:00", "Z"),
        "end": period.end.isoformat().replace("+00:00", "Z"),
        "timezone": str(zone),
        "standings": standings,
    }
    event = Event(event_id("board.closed", period.timeframe, period.key), "board.closed", data, now)
    return webhookevents.insert_events(db, [event]) == [True]
