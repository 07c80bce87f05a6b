"""Streak, languages and achievements over real HTTP, with the derived fields stored for the bot."""

from __future__ import annotations

import time as time_module
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.utils.factories import bearer, store_ingest_keys
from tests.utils.hosts import SERVICE_KEY, RunningHost

USER = "223456789012345678"
OTHER = "976543210987654321"
USER_KEY = "dtk_ingest-key-of-user-223456789012345678"
OTHER_KEY = "dtk_ingest-key-of-user-976543210987654321"


@pytest.fixture
def api(api: RunningHost) -> RunningHost:
    """The module's host with an ingest key for each of the two users."""
    store_ingest_keys(api.db, {USER: USER_KEY, OTHER: OTHER_KEY})
    return api


def auth(key: str = USER_KEY) -> dict[str, str]:
    return bearer(key)


def code(api: RunningHost, end: datetime, seconds: float, languages: dict[str, float] | None = None) -> None:
    body = {
        "userId": USER,
        "duration": seconds,
        "sessionDate": end.astimezone(UTC).isoformat(),
        "languages": languages or {"python": seconds},
    }
    response = api.post("coding-session", json=body, headers=auth())
    assert response.status_code == 200, response.text


def local_evening(zone: ZoneInfo, days_ago: int) -> datetime:
    """21:00 local time ``days_ago`` days ago (or a minute ago, for today, if 21:00 is still ahead)."""
    now = datetime.now(zone)
    evening = datetime.combine(now.date() - timedelta(days=days_ago), time(21), tzinfo=zone)
    return min(evening, now - timedelta(minutes=1))


def create_user_in(api: RunningHost, zone: str) -> None:
    """The user's first session (31 minutes ago is far enough back for any test) sets up the document."""
    code(api, datetime.now(UTC) - timedelta(days=20), 30)
    api.db["users"].update_one({"userId": USER}, {"$set": {"timezone": zone}})


def streak(api: RunningHost) -> dict[str, Any]:
    response = api.get(f"streak/{USER}", headers=auth())
    assert response.status_code == 200
    return response.json()


def stored_streak(api: RunningHost) -> tuple[int, int]:
    user = api.db["users"].find_one({"userId": USER})
    assert user is not None
    return user["currentStreak"], user["longestStreak"]


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_a_streak_grows_breaks_and_decays_in_the_users_zone(api: RunningHost, zone: str) -> None:
    tz = ZoneInfo(zone)
    create_user_in(api, zone)
    for days_ago in (6, 5, 4):
        code(api, local_evening(tz, days_ago), 120)
    assert streak(api) == {"currentStreak": 0, "longestStreak": 3}
    assert stored_streak(api) == (0, 3)

    code(api, local_evening(tz, 1), 120)
    assert streak(api) == {"currentStreak": 1, "longestStreak": 3}
    code(api, local_evening(tz, 0), 120)
    assert streak(api) == {"currentStreak": 2, "longestStreak": 3}
    assert stored_streak(api) == (2, 3)


def test_a_day_below_the_minimum_does_not_count(api: RunningHost) -> None:
    tz = ZoneInfo("Europe/Berlin")
    create_user_in(api, "Europe/Berlin")
    code(api, local_evening(tz, 1), 59)
    assert streak(api) == {"currentStreak": 0, "longestStreak": 0}
    code(api, local_evening(tz, 1) - timedelta(hours=1), 30)
    assert streak(api) == {"currentStreak": 1, "longestStreak": 1}


def test_a_stored_streak_that_has_lapsed_reads_and_is_stored_as_zero(api: RunningHost) -> None:
    code(api, datetime.now(UTC) - timedelta(days=1), 600)
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    api.db["users"].update_one({"userId": USER}, {"$set": {"currentStreak": 4, "lastStreakDay": three_days_ago}})

    assert streak(api) == {"currentStreak": 0, "longestStreak": 1}
    assert stored_streak(api) == (0, 1)


def test_languages_list_every_language_with_seconds(api: RunningHost) -> None:
    end = datetime.now(UTC) - timedelta(days=1)
    code(api, end, 600, {"typescriptreact": 300, "typescript": 100, "shellscript": 200, "go": 0})

    response = api.get(f"languages/{USER}", headers=auth())
    assert response.status_code == 200
    assert response.json() == pytest.approx({"shellscript": 200, "typescript": 400})


def test_achievements_are_awarded_once_in_the_bots_shape(api: RunningHost) -> None:
    end = datetime.now(UTC) - timedelta(days=2)
    code(api, end, 3600, {"java": 3600})
    code(api, end + timedelta(minutes=10), 600, {"java": 600})
    code(api, end - timedelta(hours=3), 600, {"java": 600})

    user = api.db["users"].find_one({"userId": USER})
    assert user is not None
    stored = [{k: v for k, v in item.items() if k != "earnedAt"} for item in user["achievements"]]
    assert stored == [
        {"name": "Novice 🥉", "target": 3600, "description": "Reached 1 hour of coding", "category": "time"},
        {
            "name": "Java Learner 📘",
            "target": 1800,
            "description": "Reached 30 minutes in Java",
            "category": "language",
        },
        {"name": "Java Developer ☕", "target": 3600, "description": "Reached 1 hour in Java", "category": "language"},
    ]
    assert all(isinstance(item["earnedAt"], datetime) for item in user["achievements"])

    response = api.get(f"achievements/{USER}", headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body["earned"]] == ["Novice 🥉", "Java Learner 📘", "Java Developer ☕"]
    assert body["next"] == {
        "time": {
            "name": "Intermediate 🥈",
            "description": "Reached 4 hours of coding",
            "category": "time",
            "target": 14400,
            "language": None,
            "current": 4800,
            "progress": 0.3333,
        },
        "streak": {
            "name": "Streak Starter 🔥",
            "description": "Maintained a 7-day coding streak",
            "category": "streak",
            "target": 7,
            "language": None,
            "current": 1,
            "progress": 0.1429,
        },
        "language": {
            "name": "Java Expert 🎖️",
            "description": "Reached 4 hours in Java",
            "category": "language",
            "target": 14400,
            "language": "java",
            "current": 4800,
            "progress": 0.3333,
        },
    }


def test_an_achievement_the_bot_already_gave_is_not_given_again(api: RunningHost) -> None:
    code(api, datetime.now(UTC) - timedelta(days=2), 60)
    bot_copy = {"name": "Novice 🥉", "target": 3600, "description": "Reached 1 hour of coding", "category": "time"}
    api.db["users"].update_one({"userId": USER}, {"$set": {"achievements": [bot_copy]}})
    code(api, datetime.now(UTC) - timedelta(days=1), 3600, {"markdown": 3600})

    user = api.db["users"].find_one({"userId": USER})
    assert user is not None
    assert user["achievements"] == [bot_copy]
    earned = api.get(f"achievements/{USER}", headers=auth()).json()["earned"]
    assert earned == [{**bot_copy, "earnedAt": None}]


@pytest.mark.parametrize("route", ["streak", "languages", "achievements"])
def test_reads_need_the_users_own_key_or_a_service_key(api: RunningHost, route: str) -> None:
    code(api, datetime.now(UTC) - timedelta(days=1), 60)

    assert api.get(f"{route}/{USER}", headers=auth(SERVICE_KEY)).status_code == 200
    missing = api.get(f"{route}/{USER}")
    assert (missing.status_code, missing.json()) == (
        401,
        {"message": "Authentication required: send Authorization: Bearer <API key>"},
    )
    other = api.get(f"{route}/{USER}", headers=auth(OTHER_KEY))
    assert (other.status_code, other.json()) == (403, {"message": "This API key may not act for this user"})
    unknown = api.get(f"{route}/{OTHER}", headers=auth(OTHER_KEY))
    assert (unknown.status_code, unknown.json()) == (404, {"message": "User not found"})


def test_the_decay_timer_sets_lapsed_streaks_to_zero_for_the_bot(api: RunningHost) -> None:
    code(api, datetime.now(UTC) - timedelta(days=1), 600)
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    api.db["users"].update_one({"userId": USER}, {"$set": {"currentStreak": 4, "lastStreakDay": three_days_ago}})

    fired = api.session.post(api.base_url.removesuffix("/api") + "/admin/functions/streak_decay", timeout=30)

    assert fired.status_code == 202
    deadline = time_module.monotonic() + 15
    while (run := api.db["jobruns"].find_one({"name": "streak_decay", "status": {"$ne": "running"}})) is None:
        assert time_module.monotonic() < deadline, "the timer did not finish"
        time_module.sleep(0.1)
    assert stored_streak(api) == (0, 1)
    assert (run["status"], run["result"]) == ("succeeded", {"decayed": 1})
