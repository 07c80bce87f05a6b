"""The users repository against the real database: exactly what each function stores and returns."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId
from bson.int64 import Int64
from pymongo.database import Database

from tracking.domain.achievements import Milestone
from tracking.domain.credit import StoredTotals, UserTotals
from tracking.domain.intervals import Credit
from tracking.domain.profiles import USER_LANGUAGE_KEYS, User, new_user
from tracking.domain.ranking import Listing
from tracking.domain.streaks import StreakDays
from tracking.store import users
from tracking.store.users import (
    CreditUser,
    EarnedAchievement,
    StreakState,
    UserAchievements,
    ensure_user,
    find_user_by_id,
    new_user_document,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
USER_ID = "123456789012345678"
OTHER_ID = "223456789012345678"
THIRD_ID = "323456789012345678"
NO_LANGUAGES = {key: 0 for key in USER_LANGUAGE_KEYS}

# A new user's document, field by field in the stored order (contract section 2.1 and this server's credit fields).
NEW_DOCUMENT = {
    "userId": USER_ID,
    "username": "ada",
    "displayName": None,
    "avatarUrl": None,
    "linkedAt": NOW,
    "lastLinkedAt": None,
    "isPublic": True,
    "timezone": "UTC",
    "bio": "",
    "socials": {},
    "followers": 0,
    "following": 0,
    "premium": False,
    "premiumSince": None,
    "sponsor": False,
    "sponsorSince": None,
    "dailyCodingTime": 0,
    "weeklyCodingTime": 0,
    "monthlyCodingTime": 0,
    "totalCodingTime": 0,
    "currentStreak": 0,
    "longestStreak": 0,
    "achievements": [],
    "languages": NO_LANGUAGES,
    "lastSessionDate": None,
    "archived": False,
    "archivedAt": None,
    "extensionLinked": False,
    "createdAt": NOW,
    "updatedAt": NOW,
    "__v": 0,
    "baselineCodingTime": 0.0,
    "baselineLanguages": {},
    "creditVersion": 0,
    "trackedCodingTime": 0.0,
    "languageTotals": {},
}

# What the Discord bot's registerUser leaves: a name, and its own fields.
BOT_DOCUMENT = {"userId": USER_ID, "username": "ada", "badges": [{"name": "bug"}], "border": "../borders/evil"}


def _stored(db: Database[dict[str, Any]], user_id: str = USER_ID) -> dict[str, Any]:
    stored = db.users.find_one({"userId": user_id}, {"_id": 0})
    assert stored is not None
    return stored


def _user(**fields: Any) -> User:
    """The User of NEW_DOCUMENT, with ``fields`` changed."""
    return replace(new_user(user_id=USER_ID, username="ada", now=NOW), **fields)


def _totals(*, seconds: float = 600.0, streak: int = 1) -> UserTotals:
    return UserTotals(
        tracked=Credit(seconds, {"python": seconds}),
        total_seconds=seconds + 100,
        bot_languages={**NO_LANGUAGES, "python": seconds},
        last_session=NOW,
        streak_days=StreakDays(anchor=date(2026, 11, 23), bits=1, tail=0),
        current_streak=streak,
        longest_streak=streak,
        last_streak_day=date(2026, 11, 23),
        awarded=[],
    )


FIRST_HOUR = Milestone("First Hour", 3600, "Reached 1 hour of coding", "time")
STREAK = Milestone("Streak Starter", 3, "Maintained a 3-day coding streak", "streak")


def test_new_user_document_has_every_default_in_order() -> None:
    document = new_user_document(user_id=USER_ID, username="ada", now=NOW)
    assert list(document.items()) == list(NEW_DOCUMENT.items())
    assert type(document["totalCodingTime"]) is int and type(document["trackedCodingTime"]) is float
    assert len(USER_LANGUAGE_KEYS) == 26


def test_placeholder_or_missing_username_becomes_anonymous() -> None:
    assert new_user_document(user_id=USER_ID, username=None, now=NOW)["username"] == "Anonymous"
    assert new_user_document(user_id=USER_ID, username="EFU", now=NOW)["username"] == "Anonymous"


def test_ensure_user_creates_a_bot_compatible_document(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW)
    stored = db.users.find_one({"userId": USER_ID})
    assert stored is not None
    assert isinstance(stored["_id"], ObjectId)
    assert list(stored.items()) == [("_id", stored["_id"]), *NEW_DOCUMENT.items()]
    assert type(stored["premium"]) is bool and type(stored["sponsor"]) is bool
    assert type(stored["totalCodingTime"]) is int and type(stored["__v"]) is int
    assert isinstance(stored["createdAt"], datetime)
    assert find_user_by_id(db, USER_ID) == _user()


def test_ensure_user_is_idempotent_and_keeps_derived_fields(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW)
    db.users.update_one({"userId": USER_ID}, {"$set": {"totalCodingTime": 3600.5, "currentStreak": 3}})
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW + timedelta(days=1))
    assert db.users.count_documents({}) == 1
    assert find_user_by_id(db, USER_ID) == _user(total_coding_time=3600.5, current_streak=3)


def test_placeholder_never_replaces_a_known_name(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username="ada", now=NOW)
    ensure_user(db, user_id=USER_ID, username="EFU", now=NOW)
    ensure_user(db, user_id=USER_ID, username=None, now=NOW)
    assert _stored(db)["username"] == "ada"


def test_a_real_name_updates_a_known_user(db: Database[dict[str, Any]]) -> None:
    ensure_user(db, user_id=USER_ID, username=None, now=NOW)
    assert _stored(db)["username"] == "Anonymous"
    ensure_user(db, user_id=USER_ID, username="grace", now=NOW)
    assert _stored(db) == {**NEW_DOCUMENT, "username": "grace"}


def test_user_id_index_is_unique_and_named_for_the_bot(db: Database[dict[str, Any]]) -> None:
    index = db.users.index_information()["userId_1"]
    assert index["key"] == [("userId", 1)]
    assert index["unique"] is True


def test_unknown_user_is_none(db: Database[dict[str, Any]]) -> None:
    assert find_user_by_id(db, "999999999999999999") is None


def test_a_bot_created_user_reads_with_every_default(db: Database[dict[str, Any]]) -> None:
    db.users.insert_one(dict(BOT_DOCUMENT))
    assert find_user_by_id(db, USER_ID) == User(user_id=USER_ID, username="ada")
    user = find_user_by_id(db, USER_ID)
    assert user is not None
    assert (user.timezone, user.is_public, user.created_at, user.languages) == ("UTC", True, None, NO_LANGUAGES)
    assert (user.baseline_coding_time, user.credit_version, user.tracked_coding_time) == (None, None, None)


def test_a_replaced_server_user_reads_as_stored_without_its_secrets(db: Database[dict[str, Any]]) -> None:
    db.users.insert_one(
        {
            "userId": USER_ID,
            "username": "old",
            "timezone": "GMT+1",
            "sponsor": "false",
            "totalCodingTime": 5000.5,
            "languages": {"python": 3000},
            "linkCode": "ABC234",
            "linkAPIKey": "secret",
            "deviceId": "dvc-1",
        }
    )
    assert find_user_by_id(db, USER_ID) == User(
        user_id=USER_ID,
        username="old",
        timezone="GMT+1",
        sponsor="false",
        total_coding_time=5000.5,
        languages={"python": 3000},
    )


def test_with_changes_reads_document_names() -> None:
    user = User(user_id=USER_ID, username="ada", archived=True)
    changed = users.with_changes(user, {"archived": False, "archivedAt": None, "username": "grace"})
    assert changed == User(user_id=USER_ID, username="grace", archived=False)
    assert users.with_changes(user, {}) == user


def test_insert_user_inserts_once(db: Database[dict[str, Any]]) -> None:
    assert users.insert_user(db, user_id=USER_ID, username="ada", now=NOW) is True
    assert users.insert_user(db, user_id=USER_ID, username="grace", now=LATER) is False
    assert db.users.count_documents({}) == 1
    assert _stored(db) == NEW_DOCUMENT


def test_insert_new_users_inserts_every_user_with_defaults(db: Database[dict[str, Any]]) -> None:
    users.insert_new_users(db, names={USER_ID: "ada", OTHER_ID: "EFU"}, now=NOW)
    users.insert_new_users(db, names={}, now=NOW)
    assert _stored(db) == NEW_DOCUMENT
    assert _stored(db, OTHER_ID) == {**NEW_DOCUMENT, "userId": OTHER_ID, "username": "Anonymous"}


def test_set_fields_by_id_sets_only_those_fields(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    users.set_fields_by_id(db, USER_ID, {"isPublic": False, "creditVersion": 4})
    users.set_fields_by_id(db, OTHER_ID, {"isPublic": False})
    assert _stored(db) == {**NEW_DOCUMENT, "isPublic": False, "creditVersion": 4}
    assert db.users.count_documents({}) == 1


def test_find_credit_user_of_a_new_user(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    users.set_fields_by_id(db, USER_ID, {"timezone": "Europe/Paris"})
    assert users.find_credit_user_by_id(db, USER_ID, now=NOW) == CreditUser(
        user_id=USER_ID,
        username="ada",
        archived=False,
        totals=StoredTotals(
            user_id=USER_ID,
            version=0,
            listed=True,
            zone=ZoneInfo("Europe/Paris"),
            baseline_seconds=0.0,
            baseline_languages={},
            tracked_seconds=0.0,
            language_totals={},
            longest_streak=0,
            streak_days=StreakDays(anchor=date(2026, 11, 23)),
            last_session=None,
        ),
    )


def test_find_credit_user_after_a_credit(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    users.set_credit_by_id(db, user_id=USER_ID, version=1, totals=_totals(), awarded=[], now=LATER)
    users.set_fields_by_id(db, USER_ID, {"archived": True})
    found = users.find_credit_user_by_id(db, USER_ID, now=LATER)
    assert found is not None and found.totals is not None
    assert found.archived is True
    assert (found.totals.version, found.totals.listed, found.totals.tracked_seconds) == (1, False, 600.0)
    assert (found.totals.language_totals, found.totals.longest_streak) == ({"python": 600.0}, 1)
    assert found.totals.streak_days == StreakDays(anchor=date(2026, 11, 23), bits=1, tail=0)
    assert found.totals.last_session == NOW


def test_a_user_never_credited_here_has_no_credit_totals(db: Database[dict[str, Any]]) -> None:
    db.users.insert_one(dict(BOT_DOCUMENT))
    assert users.find_credit_user_by_id(db, USER_ID, now=NOW) == CreditUser(USER_ID, "ada", False, None)
    assert users.find_credit_user_by_id(db, OTHER_ID, now=NOW) is None


def test_find_credit_version_by_id(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    db.users.insert_one({"userId": OTHER_ID, "username": "bot"})
    assert users.find_credit_version_by_id(db, USER_ID) == 0
    assert users.find_credit_version_by_id(db, OTHER_ID) == 0
    assert users.find_credit_version_by_id(db, THIRD_ID) is None
    users.set_fields_by_id(db, USER_ID, {"creditVersion": 7})
    assert users.find_credit_version_by_id(db, USER_ID) == 7


def test_set_credit_by_id_writes_the_derived_fields(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    written = users.set_credit_by_id(
        db, user_id=USER_ID, version=1, totals=_totals(), awarded=[], now=LATER, changes={"username": "grace"}
    )
    assert written is True
    stored = _stored(db)
    assert stored == {
        **NEW_DOCUMENT,
        "username": "grace",
        "trackedCodingTime": 600.0,
        "languageTotals": {"python": 600.0},
        "totalCodingTime": 700.0,
        "languages": {**NO_LANGUAGES, "python": 600.0},
        "lastSessionDate": NOW,
        "currentStreak": 1,
        "longestStreak": 1,
        "lastStreakDay": "2026-11-23",
        "streakDays": {"anchor": "2026-11-23", "bits": 1, "tail": 0},
        "creditVersion": 1,
        "updatedAt": LATER,
    }
    assert type(stored["streakDays"]["bits"]) is Int64 and type(stored["streakDays"]["tail"]) is Int64


def test_set_credit_by_id_writes_only_the_next_version(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    assert users.set_credit_by_id(db, user_id=USER_ID, version=2, totals=_totals(), awarded=[], now=LATER) is True
    before = _stored(db)
    for version in (1, 2):
        stale = _totals(seconds=60.0)
        assert users.set_credit_by_id(db, user_id=USER_ID, version=version, totals=stale, awarded=[], now=NOW) is False
    assert _stored(db) == before
    assert users.set_credit_by_id(db, user_id=OTHER_ID, version=1, totals=_totals(), awarded=[], now=NOW) is False


def test_set_credit_by_id_rebuilds_a_document_without_a_version(db: Database[dict[str, Any]]) -> None:
    db.users.insert_one(dict(BOT_DOCUMENT))
    assert users.set_credit_by_id(db, user_id=USER_ID, version=1, totals=_totals(), awarded=[], now=NOW) is True
    assert users.find_credit_version_by_id(db, USER_ID) == 1


def test_set_credit_by_id_appends_achievements_none_of_which_is_held(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    totals = _totals()
    assert users.set_credit_by_id(db, user_id=USER_ID, version=1, totals=totals, awarded=[FIRST_HOUR], now=NOW)
    assert _stored(db)["achievements"] == [{**FIRST_HOUR.stored(), "earnedAt": NOW}]
    # Held already (the bot awarded it, or a racing write): the whole write is refused, nothing is appended twice.
    held = [FIRST_HOUR, STREAK]
    assert users.set_credit_by_id(db, user_id=USER_ID, version=2, totals=totals, awarded=held, now=LATER) is False
    assert users.find_credit_version_by_id(db, USER_ID) == 1
    assert users.find_achievement_names_by_id(db, USER_ID) == ["First Hour"]
    assert users.set_credit_by_id(db, user_id=USER_ID, version=2, totals=totals, awarded=[STREAK], now=LATER)
    assert _stored(db)["achievements"] == [
        {**FIRST_HOUR.stored(), "earnedAt": NOW},
        {**STREAK.stored(), "earnedAt": LATER},
    ]


def test_find_achievement_names_by_id(db: Database[dict[str, Any]]) -> None:
    db.users.insert_one({"userId": USER_ID, "achievements": [{"name": "a"}, {"description": "no name"}, "junk"]})
    assert users.find_achievement_names_by_id(db, USER_ID) == ["a", ""]
    assert users.find_achievement_names_by_id(db, OTHER_ID) == []


def test_find_achievements_by_id(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    users.set_credit_by_id(db, user_id=USER_ID, version=1, totals=_totals(), awarded=[FIRST_HOUR], now=NOW)
    db.users.update_one({"userId": USER_ID}, {"$push": {"achievements": {"name": "Bot", "target": 5}}})
    assert users.find_achievements_by_id(db, USER_ID) == UserAchievements(
        earned=[
            EarnedAchievement("First Hour", "Reached 1 hour of coding", "time", 3600.0, NOW),
            EarnedAchievement("Bot", "", "", 5.0, None),
        ],
        total_seconds=700.0,
        longest_streak=1,
        language_totals={"python": 600.0},
    )
    db.users.insert_one({"userId": OTHER_ID})
    assert users.find_achievements_by_id(db, OTHER_ID) == UserAchievements([], 0.0, 0, {})
    assert users.find_achievements_by_id(db, THIRD_ID) is None


def test_find_language_totals_by_id(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    assert users.find_language_totals_by_id(db, USER_ID) == {}
    users.set_fields_by_id(db, USER_ID, {"languageTotals": {"python": 60.0, "java": 30.0}})
    assert users.find_language_totals_by_id(db, USER_ID) == {"python": 60.0, "java": 30.0}
    assert users.find_language_totals_by_id(db, OTHER_ID) is None


def test_streak_states_and_zeroing(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    users.set_credit_by_id(db, user_id=USER_ID, version=1, totals=_totals(streak=3), awarded=[], now=NOW)
    users.set_fields_by_id(db, USER_ID, {"timezone": "Europe/Paris"})
    users.insert_user(db, user_id=OTHER_ID, username="grace", now=NOW)
    db.users.insert_one({"userId": THIRD_ID, "currentStreak": 2, "lastStreakDay": 5})
    running = StreakState(USER_ID, 3, 3, date(2026, 11, 23), NOW, "Europe/Paris")
    assert users.find_streak_state_by_id(db, USER_ID) == running
    assert users.find_streak_state_by_id(db, OTHER_ID) == StreakState(OTHER_ID, 0, 0, None, None, "UTC")
    assert users.find_streak_state_by_id(db, "999999999999999999") is None
    third = StreakState(THIRD_ID, 2, 0, None, None, None)
    assert sorted(users.find_running_streaks(db), key=lambda state: state.user_id) == [running, third]

    users.zero_streaks_by_ids(db, [USER_ID, OTHER_ID])
    users.zero_streaks_by_ids(db, [])
    assert users.find_running_streaks(db) == [third]
    assert _stored(db)["currentStreak"] == 0 and _stored(db)["longestStreak"] == 3
    assert _stored(db, OTHER_ID) == {**NEW_DOCUMENT, "userId": OTHER_ID, "username": "grace"}


def test_find_user_ids_after_pages_in_id_order(db: Database[dict[str, Any]]) -> None:
    users.insert_new_users(db, names={THIRD_ID: "c", USER_ID: "a", OTHER_ID: "b"}, now=NOW)
    assert users.find_user_ids_after(db, after=None, limit=2) == [USER_ID, OTHER_ID]
    assert users.find_user_ids_after(db, after=OTHER_ID, limit=2) == [THIRD_ID]
    assert users.find_user_ids_after(db, after=THIRD_ID, limit=2) == []


def test_record_link_by_id_sets_what_is_given(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    user = users.record_link_by_id(
        db, USER_ID, username="grace", display_name="Grace H.", avatar_url="https://a.example/g.png", now=LATER
    )
    linked = {
        **NEW_DOCUMENT,
        "username": "grace",
        "lastLinkedAt": LATER,
        "updatedAt": LATER,
        "displayName": "Grace H.",
        "avatarUrl": "https://a.example/g.png",
    }
    assert _stored(db) == linked
    assert user == find_user_by_id(db, USER_ID)
    users.record_link_by_id(db, USER_ID, username="ada", display_name=None, avatar_url=None, now=LATER)
    assert _stored(db) == {**linked, "username": "ada"}
    with pytest.raises(LookupError):
        users.record_link_by_id(db, OTHER_ID, username="x", display_name=None, avatar_url=None, now=LATER)


def test_update_profile_by_id(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    user = users.update_profile_by_id(db, USER_ID, {"bio": "hi", "socials": {"github": "https://g.example"}}, now=LATER)
    assert user == _user(bio="hi", socials={"github": "https://g.example"}, updated_at=LATER)
    assert _stored(db) == {**NEW_DOCUMENT, "bio": "hi", "socials": {"github": "https://g.example"}, "updatedAt": LATER}
    assert users.update_profile_by_id(db, OTHER_ID, {"bio": "x"}, now=LATER) is None
    assert db.users.count_documents({}) == 1


def test_mark_extension_linked_by_id(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    user = users.mark_extension_linked_by_id(db, USER_ID, now=LATER)
    assert user == _user(extension_linked=True, last_linked_at=LATER, updated_at=LATER)
    assert _stored(db) == {**NEW_DOCUMENT, "extensionLinked": True, "lastLinkedAt": LATER, "updatedAt": LATER}
    with pytest.raises(LookupError):
        users.mark_extension_linked_by_id(db, OTHER_ID, now=LATER)


def test_find_public_users_by_text(db: Database[dict[str, Any]]) -> None:
    users.insert_new_users(db, names={USER_ID: "ada", OTHER_ID: "Adam", THIRD_ID: "a.d"}, now=NOW)
    users.set_fields_by_id(db, OTHER_ID, {"totalCodingTime": 50})
    users.set_fields_by_id(db, THIRD_ID, {"displayName": "Ada Lovelace"})
    db.users.insert_many(
        [
            {"userId": "4", "username": "adaprivate", "isPublic": False},
            {"userId": "5", "username": "adaarchived", "archived": True},
            {"userId": "6", "username": "ADA bot"},
        ]
    )
    found = users.find_public_users_by_text(db, text="ada", limit=10)
    assert [user.user_id for user in found] == [OTHER_ID, USER_ID, THIRD_ID, "6"]
    assert found[1] == _user()
    assert found[3] == User(user_id="6", username="ADA bot")
    # The text is matched literally: "a.d" is not a pattern.
    assert [user.user_id for user in users.find_public_users_by_text(db, text="a.d", limit=10)] == [THIRD_ID]
    assert [user.user_id for user in users.find_public_users_by_text(db, text="ada", limit=1)] == [OTHER_ID]


def test_find_listings_by_ids(db: Database[dict[str, Any]]) -> None:
    users.insert_user(db, user_id=USER_ID, username="ada", now=NOW)
    users.set_fields_by_id(db, USER_ID, {"displayName": "Ada L.", "avatarUrl": "https://a.example/a.png"})
    db.users.insert_one({"userId": OTHER_ID, "isPublic": False, "archived": True})
    assert users.find_listings_by_ids(db, [USER_ID, OTHER_ID, THIRD_ID]) == {
        USER_ID: Listing(USER_ID, "ada", "Ada L.", "https://a.example/a.png", True, False),
        OTHER_ID: Listing(OTHER_ID, "Anonymous", None, None, False, True),
    }
    assert users.find_listings_by_ids(db, []) == {}


def test_counts_ids_and_names(db: Database[dict[str, Any]]) -> None:
    assert (users.count_users(db), users.count_archived_users(db), users.count_users_with_sessions(db)) == (0, 0, 0)
    users.insert_new_users(db, names={USER_ID: "ada", OTHER_ID: "grace"}, now=NOW)
    users.set_fields_by_id(db, USER_ID, {"lastSessionDate": NOW})
    users.set_fields_by_id(db, OTHER_ID, {"archived": True})
    db.users.insert_one({"userId": THIRD_ID})
    assert (users.count_users(db), users.count_archived_users(db), users.count_users_with_sessions(db)) == (3, 1, 1)
    assert users.find_user_ids(db) == {USER_ID, OTHER_ID, THIRD_ID}
    assert users.find_usernames_by_ids(db, [USER_ID, THIRD_ID, "999"]) == {USER_ID: "ada", THIRD_ID: None}
