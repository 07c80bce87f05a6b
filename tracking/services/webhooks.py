"""Webhook subscriptions: create (the signing secret shown once), list, read, change, delete, rotate the
secret; the delivery log, a redelivery, and a ping sent now.

A target is checked when it is set (tracking.domain.webhooks.check_target, then every address its host
resolves to) and again at each send (tracking.services.webhook_transport). Delivering events is
tracking.services.webhook_delivery; recording them, tracking.services.webhook_events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.config import Settings
from tracking.domain.sealing import seal
from tracking.domain.sessions import utc_ms
from tracking.domain.webhooks import (
    AttemptStatus,
    DeliveryStatus,
    Event,
    EventType,
    Subscription,
    WebhookBoard,
    WebhookFormat,
    check_target,
    event_id,
    new_signing_secret,
    new_subscription_id,
)
from tracking.errors import BadGateway, BadRequest, Conflict, NotFound, ServiceUnavailable
from tracking.services import webhook_events
from tracking.services.webhook_delivery import new_delivery, send_claimed
from tracking.services.webhook_transport import Refused, resolve_public
from tracking.store import webhookattempts, webhookdeliveries, webhookevents, webhooks
from tracking.store.webhookattempts import Attempt
from tracking.store.webhookdeliveries import Delivery
from tracking.store.webhooks import SealedSecret


class SubscriptionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Webhook subscription not found")


@dataclass(frozen=True)
class IssuedSubscription:
    subscription: Subscription
    secret: str


def _seal(secret: str, subscription_id: str, settings: Settings) -> SealedSecret:
    salt, sealed = seal(secret, subscription_id, settings.link_secret)
    return SealedSecret(sealed=sealed, salt=salt)


def _field_error(field: str, message: str) -> BadRequest:
    return BadRequest("Invalid request body", errors=[{"field": field, "message": message}])


def _checked(subscription: Subscription, settings: Settings) -> Subscription:
    """The subscription if its target and schedule may be used; 400 naming the field otherwise."""
    allow_loopback = settings.webhook_allow_insecure_loopback
    try:
        check_target(subscription.url, format=subscription.format, allow_insecure_loopback=allow_loopback)
        resolve_public(subscription.url, allow_insecure_loopback=allow_loopback)
    except (ValueError, Refused) as error:
        raise _field_error("url", str(error)) from error
    if subscription.schedule is not None and "board.closed" not in subscription.events:
        raise _field_error("schedule", "only a subscription to board.closed has a schedule")
    if "board.closed" in subscription.events and subscription.board == "allTime":
        raise _field_error("board", "all time never closes: board.closed follows day, week or month")
    return subscription


def create_subscription(
    db: Database[Any],
    *,
    url: str,
    events: Sequence[EventType],
    format: WebhookFormat,
    board: WebhookBoard,
    top: int,
    schedule: str | None,
    timezone: str,
    description: str | None,
    now: datetime,
    settings: Settings,
) -> IssuedSubscription:
    """POST /api/webhooks: a new subscription and its signing secret, which is never shown again."""
    at = utc_ms(now)
    subscription = _checked(
        Subscription(
            id=new_subscription_id(),
            url=url,
            events=tuple(dict.fromkeys(events)),
            format=format,
            board=board,
            top=top,
            schedule=schedule,
            timezone=timezone,
            description=description,
            enabled=True,
            disabled_reason=None,
            failing_since=None,
            created_at=at,
            updated_at=at,
        ),
        settings,
    )
    secret = new_signing_secret()
    webhooks.insert_subscription(db, subscription, secret=_seal(secret, subscription.id, settings))
    webhook_events.forget_watching(db)
    return IssuedSubscription(subscription, secret)


def list_subscriptions(db: Database[Any]) -> list[Subscription]:
    return webhooks.find_subscriptions(db)


def read_subscription(db: Database[Any], *, subscription_id: str) -> Subscription:
    found = webhooks.find_subscription_by_id(db, subscription_id)
    if found is None:
        raise SubscriptionNotFound()
    return found


def update_subscription(
    db: Database[Any], *, subscription_id: str, changes: Mapping[str, Any], now: datetime, settings: Settings
) -> Subscription:
    """PUT /api/webhooks/{id}: the fields given change, the others stay; enabling again clears the failures."""
    current = read_subscription(db, subscription_id=subscription_id)
    fields = dict(changes)
    if "events" in fields:
        fields["events"] = tuple(dict.fromkeys(fields["events"]))
    if fields.get("enabled") is True and not current.enabled:
        fields.update(disabled_reason=None, failing_since=None)
    updated = _checked(replace(current, **fields, updated_at=utc_ms(now)), settings)
    if not webhooks.replace_subscription(db, updated):
        raise SubscriptionNotFound()
    webhook_events.forget_watching(db)
    return updated


def delete_subscription(db: Database[Any], *, subscription_id: str) -> None:
    """DELETE /api/webhooks/{id}: the subscription, its deliveries and its log."""
    if not webhooks.delete_subscription_by_id(db, subscription_id):
        raise SubscriptionNotFound()
    webhookdeliveries.delete_deliveries_by_subscription(db, subscription_id)
    webhookattempts.delete_attempts_by_subscription(db, subscription_id)
    webhook_events.forget_watching(db)


def rotate_secret(db: Database[Any], *, subscription_id: str, now: datetime, settings: Settings) -> IssuedSubscription:
    """POST /api/webhooks/{id}/rotate-secret: a new secret signs from now on; the old one stops at once."""
    subscription = read_subscription(db, subscription_id=subscription_id)
    secret, at = new_signing_secret(), utc_ms(now)
    if not webhooks.set_secret_by_id(db, subscription_id, secret=_seal(secret, subscription_id, settings), now=at):
        raise SubscriptionNotFound()
    return IssuedSubscription(replace(subscription, updated_at=at), secret)


def list_attempts(
    db: Database[Any], *, subscription_id: str, status: AttemptStatus | None, limit: int
) -> list[Attempt]:
    """GET /api/webhooks/{id}/deliveries: the subscription's attempts, newest first."""
    read_subscription(db, subscription_id=subscription_id)
    return webhookattempts.find_attempts_by_subscription(
        db, subscription_id=subscription_id, status=status, limit=limit
    )


def redeliver(db: Database[Any], *, subscription_id: str, delivery_id: str, now: datetime) -> Delivery:
    """POST .../deliveries/{deliveryId}/redeliver: due now, with a new round of retries; the timer sends it."""
    subscription = read_subscription(db, subscription_id=subscription_id)
    delivery = webhookdeliveries.find_delivery_by_id(db, delivery_id)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise NotFound("Webhook delivery not found")
    if not subscription.enabled:
        raise Conflict("The subscription is disabled: enable it first (PUT with enabled: true)")
    return webhookdeliveries.restart_by_id(db, delivery, now=utc_ms(now))


@dataclass(frozen=True)
class PingResult:
    """A ping the receiver accepted."""

    delivery: Delivery
    status_code: int
    latency_ms: float
    response: str | None


def ping(db: Database[Any], *, subscription_id: str, now: datetime, settings: Settings) -> PingResult:
    """POST /api/webhooks/{id}/ping: send a ``ping`` now and say how the receiver answered.

    A ping is logged like any delivery and not retried: 502 when the receiver answered with a failure,
    503 when it could not be reached or was refused.
    """
    subscription = read_subscription(db, subscription_id=subscription_id)
    at = utc_ms(now)
    event = Event(
        event_id("ping", subscription_id, at.isoformat(), new_subscription_id()),
        "ping",
        {"subscriptionId": subscription_id, "message": "Hello from DisTrack"},
        at,
    )
    webhookevents.insert_events(db, [event], fanned_out=True)
    delivery = new_delivery(subscription, event, now=at)
    webhookdeliveries.insert_deliveries(db, [delivery])
    attempt = Attempt(
        delivery_id=delivery.id,
        subscription_id=subscription_id,
        event_id=event.id,
        event_type=event.type,
        number=1,
        status="sending",
        attempted_at=at,
    )
    webhookattempts.claim_attempt(db, attempt)
    reply = send_claimed(db, attempt, subscription=subscription, event=event, settings=settings)
    status: DeliveryStatus = "delivered" if reply.succeeded else "failed"
    webhookdeliveries.set_outcome_by_id(db, delivery.id, attempts=1, status=status, next_attempt_at=None, now=at)
    if reply.status_code is None:
        raise ServiceUnavailable(f"The receiver could not be reached: {reply.error}")
    if not reply.succeeded:
        raise BadGateway(reply.error or f"The receiver answered {reply.status_code}")
    delivered = replace(delivery, status="delivered", attempts=1, next_attempt_at=None)
    return PingResult(delivered, reply.status_code, reply.latency_ms, reply.response)
