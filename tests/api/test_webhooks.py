"""Webhooks over real HTTP: a local host with its timers on, and a receiver the test starts on 127.0.0.1.

The host allows insecure loopback targets (WEBHOOK_ALLOW_INSECURE_LOOPBACK=true, as for development), runs
the delivery timer every second and retries after 1 s, and keeps its other timers off the test's way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo import MongoClient
from standardwebhooks import Webhook

from tests.utils.factories import bearer, create_api_key
from tests.utils.hosts import ADMIN_KEY, SERVICE_KEY, RunningHost, host_on_its_own_database
from tests.utils.receiver import Received, Receiver, closed_port, running_receiver
from tracking.domain.periods import previous_period
from tracking.timers import TIMERS, WEBHOOK_DELIVERY

SERVICE = bearer(SERVICE_KEY)
NEVER = "0 0 0 1 1 *"  # once a year: the timers this module does not test stay quiet
LEADER, SECOND, CLIMBER = "100000000000000001", "100000000000000002", "100000000000000003"


@pytest.fixture(scope="module")
def webhook_host(
    mongodb_uri: str, mongo: MongoClient[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHost]:
    quiet = {timer.setting.name: NEVER for timer in TIMERS if timer is not WEBHOOK_DELIVERY}
    env = {
        **quiet,
        "WEBHOOK_ALLOW_INSECURE_LOOPBACK": "true",
        "WEBHOOK_DELIVERY_SCHEDULE": "* * * * * *",
        "WEBHOOK_RETRY_DELAYS": "1,1,1,1,1",
    }
    log_dir = tmp_path_factory.mktemp("host")
    with host_on_its_own_database(
        mongodb_uri=mongodb_uri, mongo=mongo, log_dir=log_dir, extra_env=env, timers=True
    ) as host:
        yield host


@pytest.fixture
def api(webhook_host: RunningHost) -> RunningHost:
    webhook_host.clear_database()
    return webhook_host


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def subscribe(api: RunningHost, **body: Any) -> dict[str, Any]:
    response = api.post("webhooks", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def post_session(api: RunningHost, user_id: str, *, end: datetime, seconds: float, name: str = "ada") -> None:
    body = {
        "userId": user_id,
        "username": name,
        "duration": seconds,
        "sessionDate": iso(end),
        "languages": {"rust": seconds},  # a language without achievements of its own
        "sessionId": f"{user_id}-{iso(end)}-{seconds}",
    }
    response = api.post("coding-session", json=body, headers=SERVICE)
    assert response.status_code in (200, 201), response.text


def deliveries_log(api: RunningHost, subscription_id: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"webhooks/{subscription_id}/deliveries", params=params, headers=SERVICE)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def verified(secret: str, received: Received) -> Any:
    """The body, once the standardwebhooks package has verified its signature (it raises otherwise)."""
    return Webhook(secret).verify(received.body, received.headers)


def of_type(event_type: str) -> Any:
    return lambda seen: [r for r in seen if r.json().get("type") == event_type]


# Subscriptions


def test_create_shows_the_secret_once_and_stores_it_only_sealed(api: RunningHost, receiver: Receiver) -> None:
    created = subscribe(
        api,
        url=receiver.url(),
        events=["rank.changed", "achievement.earned"],
        format="standard",
        board="week",
        top=5,
        description="#general",
    )
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert created == {
        "id": created["id"],
        "url": receiver.url(),
        "events": ["rank.changed", "achievement.earned"],
        "format": "standard",
        "board": "week",
        "top": 5,
        "schedule": None,
        "timezone": "UTC",
        "description": "#general",
        "enabled": True,
        "disabledReason": None,
        "createdAt": created["createdAt"],
        "updatedAt": created["createdAt"],
        "secret": secret,
    }
    shown = {key: value for key, value in created.items() if key != "secret"}
    assert api.get(f"webhooks/{created['id']}", headers=SERVICE).json() == shown
    assert api.get("webhooks", headers=SERVICE).json() == {"data": [shown], "count": 1}
    stored = api.db.webhooks.find_one({"_id": created["id"]})
    assert stored is not None and secret not in repr(stored) and secret.encode() not in bytes(stored["secretSealed"])


def test_update_changes_only_what_is_given_and_delete_removes_it(api: RunningHost, receiver: Receiver) -> None:
    created = subscribe(api, url=receiver.url(), events=["board.closed"])
    response = api.put(
        f"webhooks/{created['id']}",
        json={"top": 3, "schedule": "weekly mon 09:30", "timezone": "Europe/Paris"},
        headers=SERVICE,
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["top"], updated["schedule"], updated["timezone"]) == (3, "weekly mon 09:30", "Europe/Paris")
    assert (updated["url"], updated["events"], updated["board"]) == (receiver.url(), ["board.closed"], "week")
    cleared = api.put(f"webhooks/{created['id']}", json={"url": None}, headers=SERVICE)
    assert cleared.status_code == 400
    assert cleared.json()["errors"] == [{"field": "body", "message": "Value error, url cannot be null"}]
    refused = api.put(f"webhooks/{created['id']}", json={"events": ["ping"]}, headers=SERVICE)
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "schedule", "message": "only a subscription to board.closed has a schedule"}
    ]
    unscheduled = api.put(f"webhooks/{created['id']}", json={"schedule": None}, headers=SERVICE)
    assert (unscheduled.status_code, unscheduled.json()["schedule"], unscheduled.json()["top"]) == (200, None, 3)
    assert api.delete(f"webhooks/{created['id']}", headers=SERVICE).status_code == 204
    assert api.get(f"webhooks/{created['id']}", headers=SERVICE).json() == {"message": "Webhook subscription not found"}
    assert api.delete(f"webhooks/{created['id']}", headers=SERVICE).status_code == 404


def test_routes_need_a_service_or_admin_key(api: RunningHost, receiver: Receiver) -> None:
    ingest = create_api_key(api.db, scope="ingest", user_id=LEADER, label="ext")
    assert api.get("webhooks").status_code == 401
    assert api.get("webhooks", headers=bearer(ingest)).status_code == 403
    body = {"url": receiver.url(), "events": ["ping"]}
    assert api.post("webhooks", json=body, headers=bearer(ingest)).status_code == 403
    assert api.post("webhooks", json=body, headers=bearer(ADMIN_KEY)).status_code == 201
    assert api.db.webhooks.count_documents({}) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com/hook", "must be an https:// URL"),
        ("https://10.0.0.7/hook", "must not point at a private, loopback, link-local or multicast address"),
        ("https://127.0.0.1/hook", "must not point at a private, loopback, link-local or multicast address"),
        ("https://169.254.169.254/latest", "must not point at a private, loopback, link-local or multicast address"),
        ("https://[::1]:8443/hook", "must not point at a private, loopback, link-local or multicast address"),
        ("https://224.0.0.251/hook", "must not point at a private, loopback, link-local or multicast address"),
        ("https://localhost/hook", "must not point at a private, loopback, link-local or multicast address"),
        ("https://printer.local/hook", "must not point at a private, loopback, link-local or multicast address"),
        ("http://localhost:8080/hook", "must be an https:// URL"),
        ("https://user:pass@example.com/hook", "must not carry a user name or password"),
    ],
)
def test_private_and_non_https_targets_are_refused_at_creation(api: RunningHost, url: str, message: str) -> None:
    response = api.post("webhooks", json={"url": url, "events": ["ping"]}, headers=SERVICE)
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid request body", "errors": [{"field": "url", "message": message}]}
    assert api.db.webhooks.count_documents({}) == 0


def test_board_closed_needs_a_board_that_closes(api: RunningHost, receiver: Receiver) -> None:
    body = {"url": receiver.url(), "events": ["board.closed"], "board": "allTime"}
    response = api.post("webhooks", json=body, headers=SERVICE)
    assert (response.status_code, response.json()["errors"]) == (
        400,
        [{"field": "board", "message": "all time never closes: board.closed follows day, week or month"}],
    )
    assert api.db.webhooks.count_documents({}) == 0


def test_a_discord_subscription_needs_a_discord_webhook_url(api: RunningHost) -> None:
    body = {"url": "https://discord.com/channels/1/2", "events": ["ping"], "format": "discord"}
    response = api.post("webhooks", json=body, headers=SERVICE)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "url", "message": "must be a Discord webhook URL: https://discord.com/api/webhooks/<id>/<token>"}
    ]
    assert api.db.webhooks.count_documents({}) == 0


# Delivery


def test_a_session_that_changes_the_lead_reaches_the_receiver_signed_within_seconds(
    api: RunningHost, receiver: Receiver
) -> None:
    now = datetime.now(UTC)
    post_session(api, LEADER, end=now - timedelta(hours=3), seconds=7200, name="lin")
    post_session(api, SECOND, end=now - timedelta(hours=3), seconds=3600, name="grace")
    created = subscribe(api, url=receiver.url(), events=["rank.changed"], board="allTime", top=3)

    post_session(api, CLIMBER, end=now - timedelta(minutes=40), seconds=5400, name="ada")  # 1.5 h: second place
    entered = receiver.wait_for(of_type("rank.changed"))
    first = verified(created["secret"], entered[0])
    assert first == {
        "id": entered[0].headers["webhook-id"],
        "type": "rank.changed",
        "timestamp": first["timestamp"],
        "data": {
            "userId": CLIMBER,
            "username": "ada",
            "board": "allTime",
            "periodKey": "all",
            "rank": 2,
            "previousRank": None,
            "total": 5400.0,
        },
    }

    post_session(api, CLIMBER, end=now - timedelta(minutes=10), seconds=1800, name="ada")  # 2 h: a tie, still second
    post_session(api, CLIMBER, end=now - timedelta(minutes=5), seconds=60, name="ada")  # and past the leader
    lead = receiver.wait_for(lambda seen: len(of_type("rank.changed")(seen)) >= 2)
    assert len(lead) == 2
    taken = verified(created["secret"], lead[1])
    assert (taken["data"]["rank"], taken["data"]["previousRank"], taken["data"]["total"]) == (1, 2, 7260.0)
    log = wait_until(lambda: [e for e in deliveries_log(api, created["id"]) if e["status"] == "succeeded"][1:])
    assert [(entry["eventType"], entry["attempt"], entry["statusCode"]) for entry in log] == [("rank.changed", 1, 204)]
    assert {entry["eventId"] for entry in deliveries_log(api, created["id"])} == {
        received.headers["webhook-id"] for received in lead
    }


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt_with_the_same_id(
    api: RunningHost, receiver: Receiver
) -> None:
    created = subscribe(api, url=receiver.url(), events=["achievement.earned"])
    receiver.statuses = [500, 503]
    post_session(api, LEADER, end=datetime.now(UTC), seconds=3600, name="lin")  # 1 hour: "Novice 🥉"

    seen = receiver.wait_for(lambda got: len(got) >= 3)
    assert len({r.headers["webhook-id"] for r in seen}) == 1
    body = verified(created["secret"], seen[2])
    assert body["type"] == "achievement.earned"
    assert body["data"]["achievement"] == {
        "name": "Novice 🥉",
        "target": 3600,
        "description": "Reached 1 hour of coding",
        "category": "time",
    }
    log = wait_until(
        lambda: (
            [e for e in deliveries_log(api, created["id"]) if e["status"] != "sending"][2:]
            and (deliveries_log(api, created["id"]))
        )
    )
    assert [(entry["attempt"], entry["status"], entry["statusCode"]) for entry in log] == [
        (3, "succeeded", 204),
        (2, "failed", 503),
        (1, "failed", 500),
    ]
    assert log[1]["error"] == "The receiver answered 503" and log[1]["response"] == '{"ok": false}'
    assert all(entry["latencyMs"] >= 0 and entry["eventId"] == seen[0].headers["webhook-id"] for entry in log)
    assert deliveries_log(api, created["id"], status="failed", limit=1) == [log[1]]


def test_a_replayed_ingest_makes_no_second_event(api: RunningHost, receiver: Receiver) -> None:
    subscribe(api, url=receiver.url(), events=["achievement.earned"])
    end = datetime.now(UTC)
    post_session(api, LEADER, end=end, seconds=3600, name="lin")
    post_session(api, LEADER, end=end, seconds=3600, name="lin")  # the extension's retry of the same session

    assert api.db.webhookevents.count_documents({}) == 1
    receiver.wait_for(lambda seen: len(seen) == 1)
    assert api.db.webhookdeliveries.count_documents({}) == 1


def test_an_unreachable_target_is_logged_retried_then_failed_and_can_be_redelivered(api: RunningHost) -> None:
    created = subscribe(api, url=f"http://127.0.0.1:{closed_port()}/hook", events=["achievement.earned"])
    post_session(api, LEADER, end=datetime.now(UTC), seconds=3600, name="lin")

    def failed_six_times() -> list[dict[str, Any]]:
        log = deliveries_log(api, created["id"])
        return log if len(log) == 6 and api.db.webhookdeliveries.find_one({"status": "failed"}) else []

    log = wait_until(failed_six_times)
    assert [entry["attempt"] for entry in log] == [6, 5, 4, 3, 2, 1]
    assert {(entry["status"], entry["statusCode"]) for entry in log} == {("failed", None)}
    assert all("ConnectionRefusedError" in entry["error"] for entry in log)

    redelivered = api.post(f"webhooks/{created['id']}/deliveries/{log[0]['deliveryId']}/redeliver", headers=SERVICE)
    assert redelivered.status_code == 202
    assert redelivered.json() | {"nextAttemptAt": None} == {
        "id": log[0]["deliveryId"],
        "subscriptionId": created["id"],
        "eventId": log[0]["eventId"],
        "eventType": "achievement.earned",
        "status": "pending",
        "attempts": 6,
        "nextAttemptAt": None,
    }
    assert wait_until(lambda: [e for e in deliveries_log(api, created["id"]) if e["attempt"] == 7])
    missing = api.post(f"webhooks/{created['id']}/deliveries/dlv_nothing/redeliver", headers=SERVICE)
    assert (missing.status_code, missing.json()) == (404, {"message": "Webhook delivery not found"})


def wait_until(found: Any, seconds: float = 60) -> Any:
    """Poll ``found`` until it returns something true (the delivery timer runs every second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("the condition did not come true")


def test_ping_answers_the_receivers_status_or_502_and_503_with_the_reason(api: RunningHost, receiver: Receiver) -> None:
    created = subscribe(api, url=receiver.url(), events=["ping"])
    receiver.default = 200
    response = api.post(f"webhooks/{created['id']}/ping", headers=SERVICE)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["statusCode"], answer["response"], answer["delivery"]["status"]) == (
        200,
        '{"ok": true}',
        "delivered",
    )
    ping = verified(created["secret"], receiver.received[0])
    assert ping["type"] == "ping" and ping["data"] == {
        "subscriptionId": created["id"],
        "message": "Hello from DisTrack",
    }

    receiver.statuses = [500]
    failed = api.post(f"webhooks/{created['id']}/ping", headers=SERVICE)
    assert (failed.status_code, failed.json()) == (502, {"message": "The receiver answered 500"})

    gone = subscribe(api, url=f"http://127.0.0.1:{closed_port()}/hook", events=["ping"])
    unreachable = api.post(f"webhooks/{gone['id']}/ping", headers=SERVICE)
    assert unreachable.status_code == 503
    assert unreachable.json()["message"].startswith("The receiver could not be reached: ConnectionRefusedError")
    assert [entry["status"] for entry in deliveries_log(api, created["id"])] == ["failed", "succeeded"]


def test_a_rotated_secret_signs_from_then_on(api: RunningHost, receiver: Receiver) -> None:
    created = subscribe(api, url=receiver.url(), events=["ping"])
    rotated = api.post(f"webhooks/{created['id']}/rotate-secret", headers=SERVICE)
    assert rotated.status_code == 200
    secret = rotated.json()["secret"]
    assert secret != created["secret"] and rotated.json()["id"] == created["id"]
    assert api.post(f"webhooks/{created['id']}/ping", headers=SERVICE).status_code == 200
    assert verified(secret, receiver.received[0])["type"] == "ping"
    with pytest.raises(Exception, match="No matching signature"):
        verified(created["secret"], receiver.received[0])


# Discord, and the close of a period


DISCORD_MESSAGE_FIELDS = {"content", "username", "avatar_url", "tts", "embeds", "allowed_mentions", "flags"}
DISCORD_EMBED_FIELDS = {"title", "description", "url", "timestamp", "color", "footer", "fields", "author"}


def assert_valid_discord_body(body: dict[str, Any]) -> None:
    """Discord's documented limits of an execute-webhook body with embeds."""
    assert set(body) <= DISCORD_MESSAGE_FIELDS
    assert 1 <= len(body["embeds"]) <= 10
    total = 0
    for embed in body["embeds"]:
        assert set(embed) <= DISCORD_EMBED_FIELDS
        assert 0 < len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
        assert isinstance(embed["color"], int) and 0 <= embed["color"] <= 0xFFFFFF
        datetime.fromisoformat(embed["timestamp"])
        assert len(embed["footer"]["text"]) <= 2048
        total += len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    assert total <= 6000
    assert len(body.get("username", "")) <= 80


def test_board_closed_fires_once_per_period_and_the_discord_format_is_a_valid_discord_body(
    api: RunningHost, receiver: Receiver
) -> None:
    yesterday = previous_period("day", datetime.now(UTC), UTC)
    post_session(api, LEADER, end=yesterday.end - timedelta(hours=2), seconds=5400, name="lin")
    post_session(api, SECOND, end=yesterday.end - timedelta(hours=1), seconds=1800, name="grace")
    discord_url = receiver.url("/api/webhooks/123456789012345678/token-of-the-channel")
    discord = subscribe(api, url=discord_url, events=["board.closed"], format="discord", board="day")
    standard = subscribe(api, url=receiver.url("/standard"), events=["board.closed"], board="day", top=1)

    for _ in range(2):  # the snapshot job twice: the day closes once
        assert api.post("admin/jobs/snapshots", headers=bearer(ADMIN_KEY)).status_code == 200
    seen = receiver.wait_for(lambda got: len(got) >= 2)
    assert api.db.webhookevents.count_documents({"type": "board.closed"}) == 1

    by_path = {received.path: received for received in seen}
    digest = verified(standard["secret"], by_path["/standard"])
    assert digest["data"] == {
        "board": "day",
        "periodKey": yesterday.key,
        "start": iso(yesterday.start),
        "end": iso(yesterday.end),
        "timezone": "UTC",
        "standings": [{"rank": 1, "userId": LEADER, "username": "lin", "total": 5400.0}],
    }
    message = by_path["/api/webhooks/123456789012345678/token-of-the-channel"].json()
    assert_valid_discord_body(message)
    assert message["embeds"][0]["title"] == f"Daily results: {yesterday.key}"
    assert message["embeds"][0]["description"] == "**1.** lin: 1h 30m\n**2.** grace: 0h 30m"
    assert [entry["eventType"] for entry in deliveries_log(api, discord["id"])] == ["board.closed"]
    assert api.db.webhookdeliveries.count_documents({}) == 2


def test_a_scheduled_digest_waits_for_its_time(api: RunningHost, receiver: Receiver) -> None:
    yesterday = previous_period("day", datetime.now(UTC), UTC)
    post_session(api, LEADER, end=yesterday.end - timedelta(hours=2), seconds=600, name="lin")
    created = subscribe(
        api, url=receiver.url(), events=["board.closed"], board="day", schedule="daily 09:00", timezone="Asia/Tokyo"
    )
    assert api.post("admin/jobs/snapshots", headers=bearer(ADMIN_KEY)).status_code == 200
    delivery = wait_until(lambda: api.db.webhookdeliveries.find_one({"subscriptionId": created["id"]}))
    due = delivery["nextAttemptAt"].astimezone(UTC)
    tokyo = due.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (tokyo.hour, tokyo.minute) == (9, 0) and timedelta(0) < due - datetime.now(UTC) <= timedelta(days=1)
    assert delivery["status"] == "pending" and receiver.received == []
