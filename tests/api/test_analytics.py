"""The stats routes, the export and the delete over real HTTP, checked against a recount of the seeded sessions.

User A (America/New_York, public) has two overlapping sessions and one that crosses local midnight, three
local days ago; user B (UTC, private) has a 20-minute session that ended a minute ago.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.utils.factories import USER_A, USER_B, bearer, create_user, store_ingest_keys
from tests.utils.hosts import ADMIN_KEY, SERVICE_KEY, RunningHost
from tracking import config
from tracking.domain.sessions import NewSession
from tracking.services.ingest import record_sessions

NEW_YORK = ZoneInfo("America/New_York")
KEY_A = "dtk_ingest-key-of-user-a-for-the-stats-tests"
KEY_B = "dtk_ingest-key-of-user-b-for-the-stats-tests"
NOT_FOUND = {"message": "User not found"}


def _session(user_id: str, number: int, start: datetime, end: datetime, language: str) -> NewSession:
    return NewSession(
        session_id=f"s{number}",
        user_id=user_id,
        username=None,
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        languages={language: (end - start).total_seconds()},
        project_name=None,
        editor=None,
    )


@pytest.fixture
def seeded(api: RunningHost) -> dict[str, Any]:
    now = datetime.now(UTC)
    day = now.astimezone(NEW_YORK).date() - timedelta(days=3)

    def local(hour: int, on: date = day) -> datetime:
        return datetime.combine(on, time(hour), tzinfo=NEW_YORK)

    b_start = now.replace(second=0, microsecond=0) - timedelta(minutes=21)
    create_user(api.db, USER_A, "lovelace", timezone="America/New_York")
    create_user(api.db, USER_B, "grace", isPublic=False)
    store_ingest_keys(api.db, {USER_A: KEY_A, USER_B: KEY_B})
    batch = [
        _session(USER_A, 1, local(10), local(12), "python"),
        _session(USER_A, 2, local(11), local(13), "python"),  # overlaps: 10:00-13:00 credits 3 hours
        _session(USER_A, 3, local(23), local(1, day + timedelta(days=1)), "go"),  # crosses local midnight
        _session(USER_B, 4, b_start, b_start + timedelta(minutes=20), "rust"),
    ]
    record_sessions(api.db, batch=batch, now=now, settings=config.settings())
    return {"now": now, "day": day, "b_start": b_start, "batch": batch}


def _get(api: RunningHost, path: str, key: str | None = None) -> tuple[int, Any]:
    response = api.get(path, headers=bearer(key) if key else {})
    return response.status_code, response.json()


def _utc_minutes(batch: list[NewSession]) -> dict[datetime, set[str]]:
    """The recount: each credited minute (UTC) with the users coding in it; every session here is whole minutes."""
    minutes: dict[datetime, set[str]] = {}
    for session in batch:
        moment = session.start
        while moment < session.end:
            minutes.setdefault(moment, set()).add(session.user_id)
            moment += timedelta(minutes=1)
    return minutes


def test_every_route_matches_a_recount_of_overlapping_cross_midnight_and_zoned_sessions(
    api: RunningHost, seeded: dict[str, Any]
) -> None:
    day, now, batch = seeded["day"], seeded["now"], seeded["batch"]
    following = day + timedelta(days=1)
    minutes = _utc_minutes(batch)
    user_minutes = sum(len(users) for users in minutes.values())  # per user, overlaps once: 300 + 20

    # A's filter in New York: 4 hours on the day (3 of them overlapped), 1 after midnight; sessions by start day.
    status, body = _get(api, f"stats/{USER_A}/filter?startDate={day}&endDate={following}")
    assert status == 200
    assert body["range"] == {"start": str(day), "end": str(following), "timezone": "America/New_York"}
    assert body["summary"] == {
        "sessionsCount": 3,
        "totalHours": 5.0,
        "averageSessionMinutes": 100.0,
        "focusRatio": 1.0,
        "contextSwitchesPerDay": 1.5,
    }
    assert body["daily"]["series"] == [
        {"date": str(day), "totalHours": 4.0, "sessions": 3},
        {"date": str(following), "totalHours": 1.0, "sessions": 0},
    ]
    pattern = [0.0] * 24
    for hour in (10, 11, 12, 23):
        pattern[hour] = 1.0
    pattern[0] = 1.0  # the hour after midnight, on the next local day
    weekend_day, weekend_next = day.weekday() >= 5, following.weekday() >= 5
    patterns = body["hourlyPatterns"]
    assert [a + b for a, b in zip(patterns["weekdays"], patterns["weekends"], strict=True)] == pattern
    assert sum(patterns["weekends"]) == (4.0 if weekend_day else 0.0) + (1.0 if weekend_next else 0.0)
    assert body["daily"]["deepWorkDays"] == [str(day)]
    assert body["daily"]["movingAverages"]["ma7"] == [
        {"date": str(day), "hours": 4.0},
        {"date": str(following), "hours": 2.5},
    ]

    # The endDate includes its whole day.
    status, body = _get(api, f"stats/{USER_A}/filter?startDate={following}&endDate={following}")
    assert (status, body["summary"]["totalHours"], body["summary"]["sessionsCount"]) == (200, 1.0, 0)

    status, body = _get(api, f"stats/{USER_A}/languages?startDate={day}&endDate={following}&topN=1")
    assert (status, body["topLanguages"], body["totals"]) == (200, ["python"], {"go": 2.0, "python": 3.0})
    assert body["timeseries"] == [
        {"date": str(day), "languages": {"other": 1.0, "python": 3.0}},
        {"date": str(following), "languages": {"other": 1.0}},
    ]

    status, body = _get(api, f"stats/{USER_A}/heatmap?year={day.year}")
    expected_days = {str(day): 14400.0, **({str(following): 3600.0} if following.year == day.year else {})}
    assert (status, body["timezone"], body["days"]) == (200, "America/New_York", expected_days)

    # Global figures in the board time zone (UTC), private B counted anonymously. Online is who sends
    # heartbeats: B's session that ended a minute ago does not make B online, B's heartbeat does.
    assert _get(api, "stats/global/live")[1]["usersOnline"] == 0
    assert api.post("heartbeat", json={"userId": USER_B, "language": "rust"}, headers=bearer(KEY_B)).status_code == 200
    status, live = _get(api, "stats/global/live")
    assert status == 200
    assert {k: live[k] for k in ("totalHoursTracked", "usersOnline", "topLanguageToday", "avgSessionMinutes")} == {
        "totalHoursTracked": round(user_minutes / 60, 2),
        "usersOnline": 1,
        "topLanguageToday": "rust",
        "avgSessionMinutes": 20.0,
    }
    assert live["sessionsToday"] == sum(1 for s in batch if s.end > datetime.combine(now.date(), time(0), tzinfo=UTC))

    status, trends = _get(api, "stats/global/trends?days=7")
    utc_days = [now.date() - timedelta(days=offset) for offset in range(6, -1, -1)]
    expected_hours = [round(sum(len(u) for m, u in minutes.items() if m.date() == d) / 60, 2) for d in utc_days]
    expected_users = [len({user for m, u in minutes.items() if m.date() == d for user in u}) for d in utc_days]
    assert (status, trends["dates"], trends["hoursTracked"]) == (200, [str(d) for d in utc_days], expected_hours)
    assert trends["activeUsers"] == expected_users

    status, heatmap = _get(api, "stats/global/heatmap/hourly?window=7")
    matrix = [[0.0] * 24 for _ in range(7)]
    for moment, users in minutes.items():
        matrix[(moment.weekday() + 1) % 7][moment.hour] += 60.0 * len(users)
    assert (status, heatmap["matrix"], heatmap["timezone"]) == (200, matrix, "UTC")

    status, body = _get(api, "stats/global")
    assert status == 200
    assert body["totals"] == {"users": 2, "sessions": 4, "activeUsers": {"last7Days": 2, "last30Days": 2}}
    assert round(sum(week["totalHours"] for week in body["weeklyActivity"]), 2) == round(user_minutes / 60, 2)
    assert (len(body["weeklyActivity"]), body["extension"]) == (12, {"linkedUsers": 0, "marketplaceDownloads": None})
    assert "lovelace" not in str(body) and USER_B not in str(body)


def _language_hours(batch: list[NewSession], days: set[date]) -> dict[str, float]:
    """The recount per language: each user's minute once, under its session's language (overlaps share one)."""
    seen: dict[tuple[str, datetime], str] = {}
    for session in batch:
        moment = session.start
        while moment < session.end:
            if moment.date() in days:
                seen[(session.user_id, moment)] = next(iter(session.languages))
            moment += timedelta(minutes=1)
    totals: dict[str, float] = {}
    for language in seen.values():
        totals[language] = totals.get(language, 0.0) + 60.0
    return {language: round(seconds / 3600, 2) for language, seconds in sorted(totals.items())}


def test_language_growth_windows_are_equal_and_limit_adds_to_other(api: RunningHost, seeded: dict[str, Any]) -> None:
    today, batch = seeded["now"].date(), seeded["batch"]
    status, body = _get(api, "stats/global/languages?days=3")
    current = {today - timedelta(days=offset) for offset in range(3)}
    previous = {day - timedelta(days=3) for day in current}  # three days too, not one short
    assert (status, body["days"], body["timezone"]) == (200, 3, "UTC")
    assert (body["current"], body["previous"]) == (_language_hours(batch, current), _language_hours(batch, previous))

    status, body = _get(api, "stats/global/languages?period=30d&limit=1&compare=false")
    assert (status, body["previous"], body["days"]) == (200, {}, 30)
    assert body["current"] == {"python": 3.0, "other": round(2.0 + 20 / 60, 2)}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("stats/{a}/filter?startDate=2026-05-02&endDate=2026-05-01", "startDate", "Must be on or before endDate"),
        ("stats/{a}/filter?startDate=2025-01-01&endDate=2026-01-02", "endDate", "The range may span at most 366 days"),
        ("stats/{a}/languages?startDate=2026-13-01", "startDate", None),
        ("stats/global/trends?days=0", "days", None),
        ("stats/global/heatmap/hourly?window=367", "window", None),
        ("stats/global/languages?period=year", "period", None),
    ],
)
def test_bad_ranges_are_400s_that_name_the_field(api: RunningHost, query: str, field: str, message: str | None) -> None:
    create_user(api.db, USER_A, "ada")
    status, body = _get(api, query.format(a=USER_A))
    assert (status, body["message"], [error["field"] for error in body["errors"]]) == (
        400,
        "Invalid query parameters",
        [field],
    )
    if message:
        assert body["errors"][0]["message"] == message


@pytest.mark.parametrize("route", ["filter", "languages", "heatmap"])
def test_a_private_users_stats_are_theirs_and_services_only(
    api: RunningHost, seeded: dict[str, Any], route: str
) -> None:
    assert _get(api, f"stats/{USER_B}/{route}") == (404, NOT_FOUND)
    assert _get(api, f"stats/{USER_B}/{route}", KEY_A) == (404, NOT_FOUND)
    assert _get(api, f"stats/{USER_B}/{route}", KEY_B)[0] == 200
    assert _get(api, f"stats/{USER_B}/{route}", SERVICE_KEY)[0] == 200
    assert _get(api, f"stats/333333333333333333/{route}", SERVICE_KEY) == (404, NOT_FOUND)


def test_export_answers_everything_stored_about_the_user(api: RunningHost, seeded: dict[str, Any]) -> None:
    assert api.post("snapshot/allTime", headers=bearer(ADMIN_KEY)).status_code == 200
    status, body = _get(api, f"user/{USER_A}/export", KEY_A)
    assert status == 200
    assert (body["profile"]["userId"], body["profile"]["timezone"], body["nextCursor"]) == (
        USER_A,
        "America/New_York",
        None,
    )
    assert sorted(session["sessionId"] for session in body["sessions"]) == ["s1", "s2", "s3"]
    assert sum(total["seconds"] for total in body["dailyTotals"]) == 5 * 3600
    assert [(row["timeframe"], row["rank"], row["totalTime"]) for row in body["rankHistory"]] == [
        ("allTime", 1, 5 * 3600.0)
    ]
    assert _get(api, f"user/{USER_A}/export", KEY_B)[0] == 403
    assert _get(api, f"user/{USER_A}/export")[0] == 401
    assert _get(api, f"user/{USER_A}/export?cursor=nope", KEY_A)[1]["errors"][0]["field"] == "cursor"


def _mentions(api: RunningHost, text: str) -> dict[str, int]:
    return {
        name: count
        for name in api.db.list_collection_names()
        if (count := sum(1 for document in api.db[name].find({}) if text in repr(document)))
    }


def test_delete_leaves_nothing_that_names_the_user(api: RunningHost, seeded: dict[str, Any]) -> None:
    assert api.post("snapshot/allTime", headers=bearer(ADMIN_KEY)).status_code == 200
    assert api.post(f"user/link-code/{USER_A}", headers=bearer(SERVICE_KEY)).status_code == 200
    before_b = _mentions(api, USER_B)

    wrong = api.delete(f"user/{USER_A}", json={"confirm": USER_B}, headers=bearer(KEY_A))
    assert (wrong.status_code, wrong.json()["errors"]) == (
        400,
        [{"field": "confirm", "message": "Must equal the userId"}],
    )
    assert api.delete(f"user/{USER_A}", headers=bearer(KEY_A)).status_code == 400
    assert api.delete(f"user/{USER_A}", json={"confirm": USER_A}, headers=bearer(KEY_B)).status_code == 403
    assert "users" in _mentions(api, USER_A)

    assert api.post("heartbeat", json={"userId": USER_A}, headers=bearer(KEY_A)).status_code == 200
    response = api.delete(f"user/{USER_A}", json={"confirm": USER_A}, headers=bearer(KEY_A))
    assert response.status_code == 200
    assert response.json() == {
        "message": "User data deleted",
        "deleted": {
            "apikeys": 1,
            "websessions": 0,
            "linkcodes": 1,
            "codingsessions": 3,
            "heartbeats": 0,
            "dailytotals": 2,
            "boards": response.json()["deleted"]["boards"],
            "leaderboardsnapshots": 1,
            "creditclaims": response.json()["deleted"]["creditclaims"],
            "ratelimits": 1,
            "presence": 1,
            "webhookevents": 0,
            "users": 1,
        },
    }
    assert response.json()["deleted"]["boards"] >= 4
    assert _mentions(api, USER_A) == {}
    assert _mentions(api, "lovelace") == {}
    # Only A went: B's documents are all still there.
    assert _mentions(api, USER_B) == before_b
    assert _get(api, f"user/{USER_A}/export", KEY_A)[0] == 401
    assert _get(api, f"user/{USER_A}/export", SERVICE_KEY) == (404, NOT_FOUND)
