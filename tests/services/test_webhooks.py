"""Webhooks in-process: streak events from crediting, fan-out, send-time refusals, disabling, the log's retention."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.receiver import Receiver, closed_port, running_receiver
from tracking import config
from tracking.domain.sessions import build_session
from tracking.models import SessionCreate
from tracking.services import retention, webhook_delivery, webhooks
from tracking.services.ingest import record_sessions
from tracking.services.webhooks import IssuedSubscription
from tracking.store import webhookattempts

USER = "123456789012345678"


@pytest.fixture(autouse=True)
def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_INSECURE_LOOPBACK", "true")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def subscribe(db: Database[Any], url: str, *events: Any, now: datetime | None = None) -> IssuedSubscription:
    return webhooks.create_subscription(
        db,
        url=url,
        events=list(events),
        format="standard",
        board="week",
        top=10,
        schedule=None,
        timezone="UTC",
        description=None,
        now=now or datetime.now(UTC),
        settings=config.settings(),
    )


def code(db: Database[Any], *, end: datetime, seconds: float) -> None:
    body = SessionCreate(userId=USER, username="ada", duration=seconds, sessionDate=end, languages={"rust": seconds})
    now = datetime.now(UTC)
    record_sessions(db, batch=[build_session(body, now=now, max_age_days=30)], now=now, settings=config.settings())


def test_a_seventh_day_in_a_row_records_one_streak_milestone(db: Database[Any], receiver: Receiver) -> None:
    subscribe(db, receiver.url(), "streak.milestone")
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    if today > datetime.now(UTC):
        today -= timedelta(days=1)
    for days_ago in range(6, -1, -1):
        code(db, end=today - timedelta(days=days_ago), seconds=600)
    code(db, end=today - timedelta(hours=1), seconds=600)  # the same day again: no second milestone
    events = list(db["webhookevents"].find({}, {"_id": 0, "createdAt": 0}))
    started = (today - timedelta(days=6)).date().isoformat()
    data = {"userId": USER, "username": "ada", "days": 7, "streakStartedOn": started}
    assert events == [{"type": "streak.milestone", "data": data, "fannedOut": False}]


def test_fanning_out_twice_makes_one_delivery_and_a_later_subscription_gets_none(
    db: Database[Any], receiver: Receiver
) -> None:
    first = subscribe(db, receiver.url(), "achievement.earned", now=datetime.now(UTC) - timedelta(seconds=1))
    code(db, end=datetime.now(UTC), seconds=3600)
    subscribe(db, receiver.url("/late"), "achievement.earned", now=datetime.now(UTC) + timedelta(seconds=1))
    now = datetime.now(UTC)
    assert webhook_delivery.fan_out(db, now=now) == 1
    assert webhook_delivery.fan_out(db, now=now) == 0
    deliveries = list(db["webhookdeliveries"].find())
    assert [(d["subscriptionId"], d["status"], d["attempts"]) for d in deliveries] == [
        (first.subscription.id, "pending", 0)
    ]


def test_the_target_is_checked_again_when_sending(
    db: Database[Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = subscribe(db, receiver.url(), "achievement.earned")
    code(db, end=datetime.now(UTC), seconds=3600)
    monkeypatch.setenv("WEBHOOK_ALLOW_INSECURE_LOOPBACK", "false")
    counts = webhook_delivery.deliver_due(db, now=datetime.now(UTC), settings=config.settings())
    assert counts == {
        "eventsFannedOut": 1,
        "attempted": 1,
        "delivered": 0,
        "retrying": 1,
        "failed": 0,
        "cancelled": 0,
        "skipped": 0,
    }
    [attempt] = webhookattempts.find_attempts_by_subscription(
        db, subscription_id=issued.subscription.id, status=None, limit=10
    )
    assert (attempt.status, attempt.status_code) == ("failed", None)
    assert attempt.error == (
        "Refused: 127.0.0.1 resolves to 127.0.0.1, a private, loopback, link-local, multicast or reserved address"
    )
    assert receiver.received == []


def test_a_secret_sealed_under_another_link_secret_is_not_sent_and_says_to_rotate(
    db: Database[Any], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = subscribe(db, receiver.url(), "achievement.earned")
    code(db, end=datetime.now(UTC), seconds=3600)
    monkeypatch.setenv("LINK_SECRET", "another-link-secret-0123456789abcdefghij")
    counts = webhook_delivery.deliver_due(db, now=datetime.now(UTC), settings=config.settings())
    assert (counts["attempted"], counts["delivered"], counts["retrying"]) == (1, 0, 1)
    [attempt] = webhookattempts.find_attempts_by_subscription(
        db, subscription_id=issued.subscription.id, status=None, limit=10
    )
    assert (attempt.status, attempt.status_code) == ("failed", None)
    assert attempt.error == "The signing secret cannot be opened (LINK_SECRET changed): rotate the secret"
    assert receiver.received == []


def test_a_subscription_whose_deliveries_fail_for_a_day_is_disabled(
    db: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = subscribe(db, f"http://127.0.0.1:{closed_port()}/hook", "achievement.earned")
    code(db, end=datetime.now(UTC), seconds=3600)
    start = datetime.now(UTC)
    clock = [start]
    monkeypatch.setattr(webhook_delivery, "_clock", lambda: clock[0])

    assert webhook_delivery.deliver_due(db, now=start, settings=config.settings())["retrying"] == 1
    assert webhooks.read_subscription(db, subscription_id=issued.subscription.id).enabled is True
    clock[0] = start + timedelta(days=1, minutes=1)
    assert webhook_delivery.deliver_due(db, now=clock[0], settings=config.settings())["retrying"] == 1

    disabled = webhooks.read_subscription(db, subscription_id=issued.subscription.id)
    assert disabled.enabled is False
    assert disabled.disabled_reason is not None and disabled.disabled_reason.startswith("Every delivery failed since ")
    clock[0] += timedelta(hours=1)
    assert webhook_delivery.deliver_due(db, now=clock[0], settings=config.settings())["cancelled"] == 1


def test_the_cleanup_removes_the_old_log_and_keeps_the_recent_one(db: Database[Any], receiver: Receiver) -> None:
    now = datetime.now(UTC)
    issued = subscribe(db, receiver.url(), "ping")
    subscription_id = issued.subscription.id
    webhooks.ping(db, subscription_id=subscription_id, now=now - timedelta(days=40), settings=config.settings())
    webhooks.ping(db, subscription_id=subscription_id, now=now, settings=config.settings())
    cutoff = now - timedelta(days=30)

    assert retention.clean_webhook_log(db, cutoff=cutoff, dry_run=True) == {"attempts": 1, "deliveries": 1, "events": 1}
    assert db["webhookattempts"].count_documents({}) == 2
    assert retention.clean_webhook_log(db, cutoff=cutoff, dry_run=False) == {
        "attempts": 1,
        "deliveries": 1,
        "events": 1,
    }
    log = webhookattempts.find_attempts_by_subscription(db, subscription_id=subscription_id, status=None, limit=10)
    assert [attempt.attempted_at.date() for attempt in log] == [now.date()]
    assert (db["webhookdeliveries"].count_documents({}), db["webhookevents"].count_documents({})) == (1, 1)


def test_overlapping_delivery_runs_send_each_attempt_once(db: Database[Any], receiver: Receiver) -> None:
    subscribe(db, receiver.url(), "achievement.earned")
    code(db, end=datetime.now(UTC), seconds=3600)
    now = datetime.now(UTC)
    webhook_delivery.fan_out(db, now=now)
    runs = [
        threading.Thread(
            target=webhook_delivery.deliver_due, kwargs={"db": db, "now": now, "settings": config.settings()}
        )
        for _ in range(6)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(receiver.received) == 1
    assert [doc["_id"].rsplit("#", 1)[1] for doc in db["webhookattempts"].find()] == ["1"]
    assert db["webhookdeliveries"].find_one({}, {"_id": 0, "status": 1, "attempts": 1}) == {
        "status": "delivered",
        "attempts": 1,
    }
