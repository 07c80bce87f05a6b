"""Users and profiles: link a user (bot, website), read a profile, edit it, search users."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.config import Settings
from tracking.domain import profiles
from tracking.domain.access import Caller
from tracking.domain.profiles import User
from tracking.errors import Conflict, UserNotFound
from tracking.services import ingest
from tracking.store import users

# Visibility decides who is on the boards; the time zone which local days count for the streak.
RELISTING_FIELDS = frozenset({"isPublic"})
REBUILDING_FIELDS = frozenset({"timezone"})


@dataclass(frozen=True)
class ProfileRead:
    """A profile as one caller may see it: every public field, or, when private to them, only the id."""

    user_id: str
    visible: bool
    user: User


def link_user(
    db: Database[Any],
    *,
    user_id: str,
    username: str,
    display_name: str | None,
    avatar_url: str | None,
    now: datetime,
) -> User:
    """Create or update a user (POST /link): the name, and the display name and avatar when given."""
    users.ensure_user(db, user_id=user_id, username=username, now=now)
    return users.record_link_by_id(
        db, user_id, username=username, display_name=display_name, avatar_url=avatar_url, now=now
    )


def create_user(
    db: Database[Any],
    *,
    user_id: str,
    username: str,
    display_name: str | None,
    avatar_url: str | None,
    now: datetime,
) -> User:
    """Create a user that does not exist yet (``POST /api/auth/discord/user``); 409 for a known one."""
    if not users.insert_user(db, user_id=user_id, username=username, now=now):
        raise Conflict("User already exists")
    return users.record_link_by_id(
        db, user_id, username=username, display_name=display_name, avatar_url=avatar_url, now=now
    )


def read_profile(db: Database[Any], *, user_id: str, caller: Caller) -> ProfileRead:
    user = users.find_user_by_id(db, user_id)
    if user is None:
        raise UserNotFound()
    return ProfileRead(user_id=user_id, visible=profiles.can_see_profile(user, caller), user=user)


def update_profile(
    db: Database[Any], *, user_id: str, changes: Mapping[str, Any], now: datetime, settings: Settings
) -> User:
    """Apply validated profile ``changes``; visibility relists the user, a new time zone rebuilds their streak."""
    user = users.update_profile_by_id(db, user_id, dict(changes), now=now)
    if user is None:
        raise UserNotFound()
    if REBUILDING_FIELDS & changes.keys():
        ingest.rebuild_user(db, user_id=user_id, now=now, settings=settings)
    elif RELISTING_FIELDS & changes.keys():
        ingest.relist_user(db, user_id=user_id, now=now, settings=settings)
    return user


def search_users(db: Database[Any], *, text: str, limit: int) -> list[User]:
    """Public, unarchived users whose name or display name contains ``text``, most coding time first."""
    return users.find_public_users_by_text(db, text=text, limit=limit)
