"""Delivering webhook events: fan each event out to its subscriptions, send what is due, retry what failed.

The delivery timer (``WEBHOOK_DELIVERY_SCHEDULE``, every few seconds) runs ``deliver_due``:

1. each event not yet fanned out gets one delivery per subscription that wants it (an insert under the
   delivery's deterministic ``_id``, so a second fan-out adds nothing), due at once, or for a
   ``board.closed`` digest of a subscription with a ``schedule`` at that schedule's next time;
2. each due delivery is attempted: the attempt is claimed by inserting it (tracking.store.webhookattempts)
   before anything is sent, so two timer runs never send the same attempt, then sent, signed per the
   Standard Webhooks specification with the event id as ``webhook-id`` (the same on every attempt);
3. a failed attempt is retried after the ``WEBHOOK_RETRY_DELAYS`` (about 1 min, 5 min, 30 min, 2 h, 12 h),
   then the delivery is failed; a subscription whose every delivery failed for a day is disabled, with
   the reason on it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pymongo.database import Database
from standardwebhooks import Webhook

from tracking.config import Settings
from tracking.domain.sealing import SealBroken, unseal
from tracking.domain.webhooks import (
    ATTEMPT_LEASE,
    Event,
    Subscription,
    body_for,
    delivery_id,
    disabled_reason,
    next_attempt_at,
    next_scheduled,
    wants,
)
from tracking.services.webhook_transport import Reply, post
from tracking.store import webhookattempts, webhookdeliveries, webhookevents, webhooks
from tracking.store.webhookattempts import Attempt
from tracking.store.webhookdeliveries import Delivery

FAN_OUT_BATCH = 200
DELIVERY_BATCH = 50
SENDERS = 4
USER_AGENT = "DisTrack-Webhooks/1"

Outcome = Literal["delivered", "retrying", "failed", "cancelled", "skipped"]


def _clock() -> datetime:
    return datetime.now(UTC)


def new_delivery(subscription: Subscription, event: Event, *, now: datetime) -> Delivery:
    due = now
    if event.type == "board.closed" and subscription.schedule:
        due = next_scheduled(subscription.schedule, ZoneInfo(subscription.timezone), event.created_at)
    return Delivery(
        id=delivery_id(subscription.id, event.id),
        subscription_id=subscription.id,
        event_id=event.id,
        event_type=event.type,
        status="pending",
        attempts=0,
        retry_from=0,
        next_attempt_at=due,
        created_at=now,
        updated_at=now,
    )


def fan_out(db: Database[Any], *, now: datetime) -> int:
    """Make the deliveries of the events recorded since the last run; returns the events fanned out."""
    events = webhookevents.find_events_to_fan_out(db, limit=FAN_OUT_BATCH)
    if not events:
        return 0
    subscriptions = webhooks.find_enabled_subscriptions(db)
    deliveries = [
        new_delivery(subscription, event, now=now)
        for event in events
        for subscription in subscriptions
        # A subscription hears of what happened once it existed, not of what it was created after.
        if subscription.created_at <= event.created_at and wants(subscription, event)
    ]
    webhookdeliveries.insert_deliveries(db, deliveries)
    webhookevents.set_fanned_out_by_ids(db, [event.id for event in events])
    return len(events)


def signed_request(
    *, secret: str, event: Event, subscription: Subscription, at: datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers of one attempt (``webhook-id`` is the event id)."""
    text = json.dumps(body_for(subscription, event), ensure_ascii=False, separators=(",", ":"))
    headers = {
        "webhook-id": event.id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event.id, at, text),
        "User-Agent": USER_AGENT,
    }
    return text.encode("utf-8"), headers


def subscription_secret(db: Database[Any], subscription_id: str, *, settings: Settings) -> str | None:
    """The signing secret; None when the subscription is gone. SealBroken when LINK_SECRET changed since."""
    sealed = webhooks.find_secret_by_id(db, subscription_id)
    if sealed is None:
        return None
    return unseal(sealed.sealed, subscription_id, sealed.salt, settings.link_secret)


def _send(
    db: Database[Any], attempt: Attempt, *, subscription: Subscription, event: Event, settings: Settings
) -> Reply:
    """Sign and post one attempt; a reply without a status when there is nothing to sign with."""
    try:
        secret = subscription_secret(db, subscription.id, settings=settings)
    except SealBroken:
        return Reply(None, 0.0, None, "The signing secret cannot be opened (LINK_SECRET changed): rotate the secret")
    if secret is None:
        return Reply(None, 0.0, None, "The subscription was deleted")
    body, headers = signed_request(secret=secret, event=event, subscription=subscription, at=attempt.attempted_at)
    return post(
        subscription.url,
        body=body,
        headers=headers,
        allow_insecure_loopback=settings.webhook_allow_insecure_loopback,
    )


def send_claimed(
    db: Database[Any], attempt: Attempt, *, subscription: Subscription, event: Event, settings: Settings
) -> Reply:
    """Send an attempt this sender claimed and record its outcome in the log."""
    reply = _send(db, attempt, subscription=subscription, event=event, settings=settings)
    finished = replace(
        attempt,
        status="succeeded" if reply.succeeded else "failed",
        status_code=reply.status_code,
        latency_ms=reply.latency_ms,
        error=reply.error,
        response=reply.response,
    )
    webhookattempts.finish_attempt(db, finished)
    return reply


def _claim(db: Database[Any], delivery: Delivery, event: Event) -> Attempt | None:
    """Our claim of the delivery's next attempt, or None when another sender has it (a dead one's is taken over)."""
    attempt = Attempt(
        delivery_id=delivery.id,
        subscription_id=delivery.subscription_id,
        event_id=event.id,
        event_type=event.type,
        number=delivery.attempts + 1,
        status="sending",
        attempted_at=_clock(),
    )
    if webhookattempts.claim_attempt(db, attempt):
        return attempt
    held = webhookattempts.find_attempt(db, delivery_id=delivery.id, number=attempt.number)
    if held is None or held.status != "sending" or _clock() - held.attempted_at < ATTEMPT_LEASE:
        return None
    now = _clock()
    return replace(attempt, attempted_at=now) if webhookattempts.take_over_attempt(db, held, now=now) else None


def _record(
    db: Database[Any],
    delivery: Delivery,
    subscription: Subscription,
    attempt: Attempt,
    reply: Reply,
    *,
    settings: Settings,
) -> Outcome:
    now = _clock()
    if reply.succeeded:
        webhookdeliveries.set_outcome_by_id(
            db, delivery.id, attempts=attempt.number, status="delivered", next_attempt_at=None, now=now
        )
        webhooks.clear_failing_by_id(db, subscription.id)
        return "delivered"
    retry_at = next_attempt_at(
        settings.webhook_retry_delays, failed_in_round=attempt.number - delivery.retry_from, now=now
    )
    webhookdeliveries.set_outcome_by_id(
        db,
        delivery.id,
        attempts=attempt.number,
        status="pending" if retry_at else "failed",
        next_attempt_at=retry_at,
        now=now,
    )
    webhooks.set_failing_since_by_id(db, subscription.id, attempt.attempted_at)
    reason = disabled_reason(subscription.failing_since, now)
    if reason is not None:
        webhooks.disable_by_id(db, subscription.id, reason=reason, now=now)
    return "retrying" if retry_at else "failed"


def attempt_delivery(
    db: Database[Any],
    delivery: Delivery,
    *,
    subscription: Subscription | None,
    event: Event | None,
    settings: Settings,
) -> Outcome:
    """Make the delivery's next attempt, unless another sender is making it."""
    if subscription is None or not subscription.enabled or event is None:
        webhookdeliveries.set_status_by_id(db, delivery.id, status="cancelled", now=_clock())
        return "cancelled"
    attempt = _claim(db, delivery, event)
    if attempt is None:
        return "skipped"
    reply = send_claimed(db, attempt, subscription=subscription, event=event, settings=settings)
    return _record(db, delivery, subscription, attempt, reply, settings=settings)


def _attempt_all(db: Database[Any], due: Sequence[Delivery], *, settings: Settings) -> list[Outcome]:
    subscriptions = {s.id: s for s in webhooks.find_subscriptions(db)}
    events = webhookevents.find_events_by_ids(db, [delivery.event_id for delivery in due])

    def attempt(delivery: Delivery) -> Outcome:
        return attempt_delivery(
            db,
            delivery,
            subscription=subscriptions.get(delivery.subscription_id),
            event=events.get(delivery.event_id),
            settings=settings,
        )

    # Receivers are slow one by one (up to the 5 s timeout each); a few at a time keep a run short.
    with ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="webhook") as pool:
        return list(pool.map(attempt, due))


def deliver_due(db: Database[Any], *, now: datetime, settings: Settings) -> dict[str, int]:
    """The delivery timer's run: fan out new events, then attempt every delivery due at ``now``."""
    fanned_out = fan_out(db, now=now)
    due = webhookdeliveries.find_due_deliveries(db, now=now, limit=DELIVERY_BATCH)
    outcomes = _attempt_all(db, due, settings=settings) if due else []
    counts = {"eventsFannedOut": fanned_out, "attempted": len(due)}
    for outcome in ("delivered", "retrying", "failed", "cancelled", "skipped"):
        counts[outcome] = outcomes.count(outcome)
    return counts
