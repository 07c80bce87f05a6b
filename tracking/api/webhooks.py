"""Webhook subscriptions, their delivery log, redeliveries and pings (a service or admin key)."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.api.auth import SERVICE
from tracking.api.http import endpoint, json_response, read_json, read_query
from tracking.domain.webhooks import Subscription
from tracking.models import (
    WebhookAttemptPublic,
    WebhookAttemptsPublic,
    WebhookAttemptsQuery,
    WebhookCreate,
    WebhookDeliveryPublic,
    WebhookIssued,
    WebhookPingPublic,
    WebhookPublic,
    WebhooksPublic,
    WebhookUpdate,
)
from tracking.services import webhooks
from tracking.services.webhooks import IssuedSubscription
from tracking.store.client import get_db
from tracking.store.webhookattempts import Attempt
from tracking.store.webhookdeliveries import Delivery

bp = func.Blueprint()


def _public(subscription: Subscription) -> WebhookPublic:
    return WebhookPublic(
        id=subscription.id,
        url=subscription.url,
        events=list(subscription.events),
        format=subscription.format,
        board=subscription.board,
        top=subscription.top,
        schedule=subscription.schedule,
        timezone=subscription.timezone,
        description=subscription.description,
        enabled=subscription.enabled,
        disabledReason=subscription.disabled_reason,
        createdAt=subscription.created_at,
        updatedAt=subscription.updated_at,
    )


def _issued(issued: IssuedSubscription) -> WebhookIssued:
    return WebhookIssued(**_public(issued.subscription).model_dump(), secret=issued.secret)


def _attempt_public(attempt: Attempt) -> WebhookAttemptPublic:
    return WebhookAttemptPublic(
        deliveryId=attempt.delivery_id,
        eventId=attempt.event_id,
        eventType=attempt.event_type,
        attempt=attempt.number,
        attemptedAt=attempt.attempted_at,
        status=attempt.status,
        statusCode=attempt.status_code,
        latencyMs=attempt.latency_ms,
        error=attempt.error,
        response=attempt.response,
    )


def _delivery_public(delivery: Delivery) -> WebhookDeliveryPublic:
    return WebhookDeliveryPublic(
        id=delivery.id,
        subscriptionId=delivery.subscription_id,
        eventId=delivery.event_id,
        eventType=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        nextAttemptAt=delivery.next_attempt_at,
    )


@bp.function_name("create_webhook")
@bp.route(route="webhooks", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={201: WebhookIssued}, body=WebhookCreate)
def create_webhook(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, WebhookCreate)
    issued = webhooks.create_subscription(
        get_db(),
        url=body.url,
        events=body.events,
        format=body.format,
        board=body.board,
        top=body.top,
        schedule=body.schedule,
        timezone=body.timezone,
        description=body.description,
        now=datetime.now(UTC),
        settings=config.settings(),
    )
    return json_response(_issued(issued), 201)


@bp.function_name("list_webhooks")
@bp.route(route="webhooks", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: WebhooksPublic})
def list_webhooks(req: func.HttpRequest) -> func.HttpResponse:
    found = webhooks.list_subscriptions(get_db())
    return json_response(WebhooksPublic(data=[_public(subscription) for subscription in found], count=len(found)))


@bp.function_name("get_webhook")
@bp.route(route="webhooks/{webhookId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: WebhookPublic})
def get_webhook(req: func.HttpRequest) -> func.HttpResponse:
    subscription = webhooks.read_subscription(get_db(), subscription_id=req.route_params["webhookId"])
    return json_response(_public(subscription))


@bp.function_name("update_webhook")
@bp.route(route="webhooks/{webhookId}", methods=["PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: WebhookPublic}, body=WebhookUpdate)
def update_webhook(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, WebhookUpdate)
    subscription = webhooks.update_subscription(
        get_db(),
        subscription_id=req.route_params["webhookId"],
        changes=body.model_dump(exclude_unset=True),
        now=datetime.now(UTC),
        settings=config.settings(),
    )
    return json_response(_public(subscription))


@bp.function_name("delete_webhook")
@bp.route(route="webhooks/{webhookId}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={204: None})
def delete_webhook(req: func.HttpRequest) -> func.HttpResponse:
    webhooks.delete_subscription(get_db(), subscription_id=req.route_params["webhookId"])
    return func.HttpResponse(status_code=204)


@bp.function_name("rotate_webhook_secret")
@bp.route(route="webhooks/{webhookId}/rotate-secret", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: WebhookIssued})
def rotate_webhook_secret(req: func.HttpRequest) -> func.HttpResponse:
    issued = webhooks.rotate_secret(
        get_db(), subscription_id=req.route_params["webhookId"], now=datetime.now(UTC), settings=config.settings()
    )
    return json_response(_issued(issued))


@bp.function_name("list_webhook_deliveries")
@bp.route(route="webhooks/{webhookId}/deliveries", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: WebhookAttemptsPublic}, query=WebhookAttemptsQuery)
def list_webhook_deliveries(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, WebhookAttemptsQuery)
    found = webhooks.list_attempts(
        get_db(), subscription_id=req.route_params["webhookId"], status=query.status, limit=query.limit
    )
    return json_response(WebhookAttemptsPublic(data=[_attempt_public(attempt) for attempt in found], count=len(found)))


@bp.function_name("redeliver_webhook_delivery")
@bp.route(
    route="webhooks/{webhookId}/deliveries/{deliveryId}/redeliver",
    methods=["POST"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
@endpoint(auth=SERVICE, answers={202: WebhookDeliveryPublic}, errors=(409,))
def redeliver_webhook_delivery(req: func.HttpRequest) -> func.HttpResponse:
    delivery = webhooks.redeliver(
        get_db(),
        subscription_id=req.route_params["webhookId"],
        delivery_id=req.route_params["deliveryId"],
        now=datetime.now(UTC),
    )
    return json_response(_delivery_public(delivery), 202)


@bp.function_name("ping_webhook")
@bp.route(route="webhooks/{webhookId}/ping", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=SERVICE, answers={200: WebhookPingPublic}, errors=(502,))
def ping_webhook(req: func.HttpRequest) -> func.HttpResponse:
    result = webhooks.ping(
        get_db(), subscription_id=req.route_params["webhookId"], now=datetime.now(UTC), settings=config.settings()
    )
    return json_response(
        WebhookPingPublic(
            delivery=_delivery_public(result.delivery),
            statusCode=result.status_code,
            latencyMs=result.latency_ms,
            response=result.response,
        )
    )
