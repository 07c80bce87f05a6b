"""The ``users`` collection: the DisTrack user document, shared with the Discord bot.

The bot reads and saves these documents with Mongoose, so ``_id`` is an ObjectId (left to the
database), numbers are numbers, dates are BSON dates and the unique index is named ``userId_1``.
Session ingest ``$set``s the derived fields (totals, languages, streaks, achievements); this module
writes them only as defaults when it creates a user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bson.int64 import Int64
from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from tracking.domain import profiles
from tracking.domain.achievements import Milestone
from tracking.domain.credit import StoredTotals, UserTotals
from tracking.domain.days import local_today
from tracking.domain.profiles import USER_DOCUMENT_NAMES, User, new_user
from tracking.domain.ranking import Listing, is_listed
from tracking.domain.streaks import StreakDays, parse_zone
from tracking.store.client import indexes

COLLECTION = "users"


@indexes
def create_user_indexes(db: Database[Any]) -> None:
    db[COLLECTION].create_index("userId", unique=True, name="userId_1")


# What this server keeps in the user document to credit sessions without reading the user's history; the bot
# ignores these fields. A document without ``creditVersion`` (the bot's, the replaced server's) is rebuilt first.
CREDIT_FIELDS = ("creditVersion", "trackedCodingTime", "languageTotals", "streakDays")


def _document(user: User) -> dict[str, Any]:
    """The stored document of ``user``; ``_id`` is left to the database, which makes it an ObjectId."""
    return {name: getattr(user, attribute) for attribute, name in USER_DOCUMENT_NAMES.items()}


def _user(doc: Mapping[str, Any]) -> User:
    """A stored document as a User: the fields it lacks take their defaults, fields User does not name are left out."""
    return User(**{attribute: doc[name] for attribute, name in USER_DOCUMENT_NAMES.items() if name in doc})


def new_user_document(*, user_id: str, username: str | None, now: datetime) -> dict[str, Any]:
    """A complete new user document with every default (tracking.domain.profiles.new_user)."""
    return _document(new_user(user_id=user_id, username=username, now=now))


def with_changes(user: User, changes: Mapping[str, Any]) -> User:
    """``user`` as it reads once ``changes`` (named as in the document) are set."""
    return _user({**_document(user), **changes})


def ensure_user(db: Database[Any], *, user_id: str, username: str | None, now: datetime) -> None:
    """Create the user with every default if absent; a real ``username`` updates a known user's name.

    None and the extension's placeholder ``"EFU"`` never replace a known name. The new document is
    inserted whole rather than upserted with ``$setOnInsert``, because FerretDB v1.24 drops null and
    empty-array values from ``$setOnInsert`` and the bot needs every field.
    """
    if profiles.is_real_username(username):
        if db[COLLECTION].update_one({"userId": user_id}, {"$set": {"username": username}}).matched_count:
            return
    elif db[COLLECTION].find_one({"userId": user_id}, {"_id": 1}) is not None:
        return
    try:
        db[COLLECTION].insert_one(new_user_document(user_id=user_id, username=username, now=now))
    except DuplicateKeyError:
        # Another request created the user between our read and our insert: only the name is left to set.
        if profiles.is_real_username(username):
            db[COLLECTION].update_one({"userId": user_id}, {"$set": {"username": username}})


def find_user_by_id(db: Database[Any], user_id: str) -> User | None:
    doc = db[COLLECTION].find_one({"userId": user_id})
    return None if doc is None else _user(doc)


@dataclass(frozen=True)
class CreditUser:
    """What crediting a session reads of its user: one point read of a fixed set of fields."""

    user_id: str
    username: str | None
    archived: bool
    totals: StoredTotals | None  # None: never credited by this server's current rules, rebuild first


_CREDIT_PROJECTION = dict.fromkeys(
    (
        "userId",
        "username",
        "isPublic",
        "archived",
        "timezone",
        "baselineCodingTime",
        "baselineLanguages",
        "longestStreak",
        "lastSessionDate",
        *CREDIT_FIELDS,
    ),
    1,
)


def _streak_days(raw: Any, today: date) -> StreakDays:
    if isinstance(raw, dict) and isinstance(raw.get("anchor"), str):
        return StreakDays(anchor=date.fromisoformat(raw["anchor"]), bits=int(raw["bits"]), tail=int(raw["tail"]))
    return StreakDays(anchor=today)


def find_credit_user_by_id(db: Database[Any], user_id: str, *, now: datetime) -> CreditUser | None:
    doc = db[COLLECTION].find_one({"userId": user_id}, _CREDIT_PROJECTION)
    if doc is None:
        return None
    totals = None
    if isinstance(doc.get("creditVersion"), int) and "baselineCodingTime" in doc and "trackedCodingTime" in doc:
        zone = parse_zone(doc.get("timezone"))
        totals = StoredTotals(
            user_id=user_id,
            version=doc["creditVersion"],
            listed=is_listed(_user(doc)),
            zone=zone,
            baseline_seconds=float(doc.get("baselineCodingTime") or 0),
            baseline_languages=dict(doc.get("baselineLanguages") or {}),
            tracked_seconds=float(doc.get("trackedCodingTime") or 0),
            language_totals=dict(doc.get("languageTotals") or {}),
            longest_streak=int(doc.get("longestStreak") or 0),
            streak_days=_streak_days(doc.get("streakDays"), local_today(now, zone)),
            last_session=doc.get("lastSessionDate"),
        )
    return CreditUser(user_id=user_id, username=doc.get("username"), archived=bool(doc.get("archived")), totals=totals)


def find_credit_version_by_id(db: Database[Any], user_id: str) -> int | None:
    """The credit version the user document holds (0 before its first credit); None for an unknown user."""
    doc = db[COLLECTION].find_one({"userId": user_id}, {"creditVersion": 1})
    if doc is None:
        return None
    version = doc.get("creditVersion")
    return version if isinstance(version, int) else 0


def insert_user(db: Database[Any], *, user_id: str, username: str | None, now: datetime) -> bool:
    """Create the user with every default; False when the user exists already.

    The new document is inserted whole rather than upserted with ``$setOnInsert``, because FerretDB
    v1.24 drops null and empty-array values from ``$setOnInsert`` and the bot needs every field.
    """
    try:
        db[COLLECTION].insert_one(new_user_document(user_id=user_id, username=username, now=now))
    except DuplicateKeyError:
        return False
    return True


def set_fields_by_id(db: Database[Any], user_id: str, changes: Mapping[str, Any]) -> None:
    db[COLLECTION].update_one({"userId": user_id}, {"$set": dict(changes)})


def find_achievement_names_by_id(db: Database[Any], user_id: str) -> list[str]:
    doc = db[COLLECTION].find_one({"userId": user_id}, {"achievements.name": 1}) or {}
    return [item.get("name", "") for item in doc.get("achievements") or [] if isinstance(item, dict)]


def set_credit_by_id(
    db: Database[Any],
    *,
    user_id: str,
    version: int,
    totals: UserTotals,
    awarded: Sequence[Milestone],
    now: datetime,
    changes: Mapping[str, Any] | None = None,
) -> bool:
    """Write a credit plan's fields as version ``version``; False when the document is not at ``version - 1``.

    ``awarded`` achievements are appended only if the user holds none of them yet (the bot awards them too);
    ``changes`` are other fields the same write sets (a new username, an unarchive, a rebuild's baseline).
    """
    fields: dict[str, Any] = {
        "trackedCodingTime": totals.tracked.seconds,
        "languageTotals": totals.tracked.languages,
        "totalCodingTime": totals.total_seconds,
        "languages": totals.bot_languages,
        "lastSessionDate": totals.last_session,
        "currentStreak": totals.current_streak,
        "longestStreak": totals.longest_streak,
        "lastStreakDay": totals.last_streak_day.isoformat() if totals.last_streak_day else None,
        # Always 64-bit, so the document's size does not depend on which days counted.
        "streakDays": {
            "anchor": totals.streak_days.anchor.isoformat(),
            "bits": Int64(totals.streak_days.bits),
            "tail": Int64(totals.streak_days.tail),
        },
        "creditVersion": version,
        "updatedAt": now,
        **(changes or {}),
    }
    # $not also matches a document without creditVersion yet (its first rebuild).
    query: dict[str, Any] = {"userId": user_id, "creditVersion": {"$not": {"$gte": version}}}
    update: dict[str, Any] = {"$set": fields}
    if awarded:
        query["achievements.name"] = {"$nin": [milestone.name for milestone in awarded]}
        update["$push"] = {"achievements": {"$each": [{**m.stored(), "earnedAt": now} for m in awarded]}}
    return db[COLLECTION].update_one(query, update).matched_count == 1


@dataclass(frozen=True)
class StreakState:
    user_id: str
    current: int
    longest: int
    last_streak_day: date | None
    last_session: datetime | None
    timezone: str | None


_STREAK_PROJECTION = dict.fromkeys(
    ("userId", "currentStreak", "longestStreak", "lastStreakDay", "lastSessionDate", "timezone"), 1
)


def _streak_state(doc: Mapping[str, Any]) -> StreakState:
    last_day = doc.get("lastStreakDay")
    last_session = doc.get("lastSessionDate")
    return StreakState(
        user_id=doc["userId"],
        current=int(doc.get("currentStreak") or 0),
        longest=int(doc.get("longestStreak") or 0),
        last_streak_day=date.fromisoformat(last_day) if isinstance(last_day, str) else None,
        last_session=last_session if isinstance(last_session, datetime) else None,
        timezone=doc.get("timezone"),
    )


def find_streak_state_by_id(db: Database[Any], user_id: str) -> StreakState | None:
    doc = db[COLLECTION].find_one({"userId": user_id}, _STREAK_PROJECTION)
    return None if doc is None else _streak_state(doc)


def find_running_streaks(db: Database[Any]) -> list[StreakState]:
    """Every user whose stored streak is above 0."""
    return [_streak_state(doc) for doc in db[COLLECTION].find({"currentStreak": {"$gt": 0}}, _STREAK_PROJECTION)]


def zero_streaks_by_ids(db: Database[Any], user_ids: Sequence[str]) -> None:
    if user_ids:
        db[COLLECTION].update_many(
            {"userId": {"$in": list(user_ids)}, "currentStreak": {"$gt": 0}}, {"$set": {"currentStreak": 0}}
        )


def find_language_totals_by_id(db: Database[Any], user_id: str) -> dict[str, float] | None:
    """Tracked seconds per normalised language; None for an unknown user (empty before a first session)."""
    doc = db[COLLECTION].find_one({"userId": user_id}, {"languageTotals": 1})
    return None if doc is None else dict(doc.get("languageTotals") or {})


@dataclass(frozen=True)
class EarnedAchievement:
    name: str
    description: str
    category: str
    target: float
    earned_at: datetime | None


@dataclass(frozen=True)
class UserAchievements:
    earned: list[EarnedAchievement]
    total_seconds: float
    longest_streak: int
    language_totals: dict[str, float]


def find_achievements_by_id(db: Database[Any], user_id: str) -> UserAchievements | None:
    doc = db[COLLECTION].find_one(
        {"userId": user_id}, {"achievements": 1, "totalCodingTime": 1, "longestStreak": 1, "languageTotals": 1}
    )
    if doc is None:
        return None
    earned = [
        EarnedAchievement(
            name=str(item.get("name", "")),
            description=str(item.get("description", "")),
            category=str(item.get("category", "")),
            target=float(item.get("target") or 0),
            earned_at=item.get("earnedAt") if isinstance(item.get("earnedAt"), datetime) else None,
        )
        for item in doc.get("achievements") or []
        if isinstance(item, dict)
    ]
    return UserAchievements(
        earned=earned,
        total_seconds=float(doc.get("totalCodingTime") or 0),
        longest_streak=int(doc.get("longestStreak") or 0),
        language_totals=dict(doc.get("languageTotals") or {}),
    )


def find_user_ids_after(db: Database[Any], *, after: str | None, limit: int) -> list[str]:
    """The next ``limit`` user ids in ascending order after ``after`` (from the first when None)."""
    query = {} if after is None else {"userId": {"$gt": after}}
    cursor = db[COLLECTION].find(query, {"_id": 0, "userId": 1}).sort("userId", ASCENDING).limit(limit)
    return [doc["userId"] for doc in cursor]


def record_link_by_id(
    db: Database[Any], user_id: str, *, username: str, display_name: str | None, avatar_url: str | None, now: datetime
) -> User:
    """What POST /link sets on an existing user: the name, and the display name and avatar when given."""
    changes: dict[str, Any] = {"username": username, "lastLinkedAt": now, "updatedAt": now}
    if display_name is not None:
        changes["displayName"] = display_name
    if avatar_url is not None:
        changes["avatarUrl"] = avatar_url
    return _set_existing_by_id(db, user_id, changes)


def _set_by_id(db: Database[Any], user_id: str, changes: dict[str, Any]) -> User | None:
    doc = db[COLLECTION].find_one_and_update(
        {"userId": user_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )
    return None if doc is None else _user(doc)


def update_profile_by_id(db: Database[Any], user_id: str, changes: dict[str, Any], *, now: datetime) -> User | None:
    """Apply validated profile ``changes``; None when there is no such user."""
    return _set_by_id(db, user_id, {**changes, "updatedAt": now})


def mark_extension_linked_by_id(db: Database[Any], user_id: str, *, now: datetime) -> User:
    return _set_existing_by_id(db, user_id, {"extensionLinked": True, "lastLinkedAt": now, "updatedAt": now})


def _set_existing_by_id(db: Database[Any], user_id: str, changes: dict[str, Any]) -> User:
    """``$set`` on a user the caller has just found or created; its absence is a bug, not a 404."""
    user = _set_by_id(db, user_id, changes)
    if user is None:
        raise LookupError(f"user {user_id} vanished during the update")
    return user


def find_public_users_by_text(db: Database[Any], *, text: str, limit: int) -> list[User]:
    """Public, unarchived users whose username or display name contains ``text``, ignoring case.

    The text is escaped: user input is matched literally, never compiled as a pattern.
    """
    pattern = {"$regex": re.escape(text), "$options": "i"}
    query = {
        "$or": [{"username": pattern}, {"displayName": pattern}],
        "isPublic": {"$ne": False},
        "archived": {"$ne": True},
    }
    found = db[COLLECTION].find(query).sort([("totalCodingTime", -1), ("userId", 1)]).limit(limit)
    return [_user(doc) for doc in found]


# What the boards show of a user beside their entry, and what decides whether they are listed.
LISTING_FIELDS = dict.fromkeys(
    ("userId", "username", "displayName", "avatarUrl", "isPublic", "archived", "lastSessionDate"), 1
)


def _listing(doc: Mapping[str, Any]) -> Listing:
    user = _user(doc)
    return Listing(
        user_id=user.user_id,
        username=user.username,
        display_name=user.display_name,
        avatar_url=user.avatar_url,
        is_public=user.is_public,
        archived=user.archived,
        last_session_date=user.last_session_date,
    )


def find_listings_by_ids(db: Database[Any], user_ids: list[str]) -> dict[str, Listing]:
    """Names, avatar and visibility of the users with these ids (one ``$in``), by userId; absent users are left out."""
    if not user_ids:
        return {}
    found = db[COLLECTION].find({"userId": {"$in": user_ids}}, LISTING_FIELDS)
    return {doc["userId"]: _listing(doc) for doc in found}


def count_users(db: Database[Any]) -> int:
    return db[COLLECTION].count_documents({})


def count_archived_users(db: Database[Any]) -> int:
    return db[COLLECTION].count_documents({"archived": True})


def count_users_with_sessions(db: Database[Any]) -> int:
    return db[COLLECTION].count_documents({"lastSessionDate": {"$ne": None}})


def find_user_ids(db: Database[Any]) -> set[str]:
    """Every user id (``distinct``)."""
    return set(db[COLLECTION].distinct("userId"))


def find_usernames_by_ids(db: Database[Any], user_ids: list[str]) -> dict[str, str | None]:
    """The stored ``username`` of each listed user that exists (one ``$in``)."""
    found = db[COLLECTION].find({"userId": {"$in": user_ids}}, {"userId": 1, "username": 1})
    return {doc["userId"]: doc.get("username") for doc in found}


def insert_new_users(db: Database[Any], *, names: dict[str, str], now: datetime) -> None:
    """Create many users (``{userId: username}``) with every default in one batched insert; all must be new."""
    documents = [new_user_document(user_id=user_id, username=name, now=now) for user_id, name in names.items()]
    if documents:
        db[COLLECTION].insert_many(documents, ordered=False)


# Added for the retention cleanup (merge into the repository)


def archive_users_inactive_before(db: Database[Any], *, cutoff: datetime, now: datetime, dry_run: bool) -> list[str]:
    """Mark users whose last session is before ``cutoff`` archived; returns their ids (sorted).

    Users who never had a session and users already archived (their ``archivedAt`` stays) are left alone.
    """
    query = {"lastSessionDate": {"$lt": cutoff}, "archived": {"$ne": True}}
    user_ids = sorted(db[COLLECTION].distinct("userId", query))
    if not dry_run and user_ids:
        db[COLLECTION].update_many(
            {**query, "userId": {"$in": user_ids}}, {"$set": {"archived": True, "archivedAt": now}}
        )
    return user_ids


# Stats and a user's own data (issue 13)


def sum_coding_time(db: Database[Any]) -> float:
    """``totalCodingTime`` of every user together (one ``$group``)."""
    rows = list(db[COLLECTION].aggregate([{"$group": {"_id": None, "total": {"$sum": "$totalCodingTime"}}}]))
    return float(rows[0]["total"]) if rows else 0.0


def count_unarchived_users(db: Database[Any]) -> int:
    return db[COLLECTION].count_documents({"archived": {"$ne": True}})


def count_extension_linked_users(db: Database[Any]) -> int:
    return db[COLLECTION].count_documents({"extensionLinked": True})


def find_current_streaks_by_ids(db: Database[Any], user_ids: list[str]) -> dict[str, int]:
    """The stored ``currentStreak`` of each listed user (one ``$in``)."""
    if not user_ids:
        return {}
    found = db[COLLECTION].find({"userId": {"$in": user_ids}}, {"_id": 0, "userId": 1, "currentStreak": 1})
    return {doc["userId"]: int(doc.get("currentStreak") or 0) for doc in found}


def delete_user_by_id(db: Database[Any], user_id: str) -> int:
    return db[COLLECTION].delete_many({"userId": user_id}).deleted_count
