"""Rules of the user document and of profile edits: pure, no I/O.

The ``users`` document is shared with the Discord bot, which reads and saves it with Mongoose: the
field names, the BSON types and the 26 language keys below are a contract (contract section 2.1).
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from tracking.domain.access import Caller

# The 26 keys of users.languages, in the order of the original schema; unknown languages count as "other".
USER_LANGUAGE_KEYS: tuple[str, ...] = (
    "javascript",
    "html",
    "css",
    "python",
    "c",
    "cpp",
    "csharp",
    "dart",
    "go",
    "json",
    "kotlin",
    "matlab",
    "perl",
    "php",
    "r",
    "ruby",
    "rust",
    "scala",
    "sql",
    "swift",
    "typescript",
    "markdown",
    "properties",
    "yaml",
    "xml",
    "other",
)

DEFAULT_USERNAME = "Anonymous"
DEFAULT_TIMEZONE = "UTC"
# What the extension sends when it could not fetch the Discord name: never a real name.
PLACEHOLDER_USERNAMES = frozenset({"EFU"})

# Discord snowflakes; the extension clears any stored id that does not match this.
USER_ID_PATTERN = r"^[0-9]{15,32}$"
BIO_MAX_LENGTH = 500
NAME_MAX_LENGTH = 64
URL_MAX_LENGTH = 2048
SOCIALS_MAX_ENTRIES = 10
SOCIAL_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
SEARCH_MAX_LIMIT = 50

_EPOCH = datetime(1970, 1, 1)

# The fields of a profile anyone may read when it is public; nothing else of the document is shown.
PUBLIC_PROFILE_FIELDS: tuple[str, ...] = (
    "userId",
    "username",
    "displayName",
    "avatarUrl",
    "bio",
    "socials",
    "isPublic",
    "timezone",
    "totalCodingTime",
    "currentStreak",
    "longestStreak",
    "lastSessionDate",
    "languages",
    "achievements",
    "premium",
    "extensionLinked",
    "linkedAt",
    "lastLinkedAt",
    "createdAt",
)


def new_user_document(*, user_id: str, username: str | None, now: datetime) -> dict[str, Any]:
    """A complete new ``users`` document with the defaults of contract section 2.1 (timezone UTC).

    ``_id`` is left to the database, which makes it an ObjectId (the bot's saves need one).
    """
    return {
        "userId": user_id,
        "username": username if is_real_username(username) else DEFAULT_USERNAME,
        "displayName": None,
        "avatarUrl": None,
        "linkedAt": now,
        "lastLinkedAt": None,
        "isPublic": True,
        "timezone": DEFAULT_TIMEZONE,
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
        "languages": {key: 0 for key in USER_LANGUAGE_KEYS},
        "lastSessionDate": None,
        "archived": False,
        "archivedAt": None,
        "extensionLinked": False,
        "createdAt": now,
        "updatedAt": now,
        "__v": 0,
    }


def is_real_username(username: str | None) -> bool:
    """False for a missing name and for the extension's placeholder, which must not replace a known name."""
    return username is not None and username.strip() != "" and username not in PLACEHOLDER_USERNAMES


def is_valid_timezone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def check_timezone(name: str) -> str:
    if not is_valid_timezone(name):
        raise ValueError("must be an IANA time zone such as Europe/Paris or UTC")
    return name


def check_search_text(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("must not be blank")
    if has_control_characters(text):
        raise ValueError("must not contain control characters")
    return text


def check_https_url(value: str) -> str:
    """An absolute https URL without whitespace, or ValueError."""
    if len(value) > URL_MAX_LENGTH:
        raise ValueError(f"must be at most {URL_MAX_LENGTH} characters")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an https:// URL")
    return value


def check_display_text(value: str, *, max_length: int = NAME_MAX_LENGTH) -> str:
    """A name shown to others: trimmed, not empty, bounded, without control characters."""
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if len(text) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    if has_control_characters(text):
        raise ValueError("must not contain control characters")
    return text


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def check_socials(socials: dict[str, str]) -> dict[str, str]:
    """``{platform: https URL}``; platform names become document keys, so no ``$`` or ``.`` in them."""
    if len(socials) > SOCIALS_MAX_ENTRIES:
        raise ValueError(f"must have at most {SOCIALS_MAX_ENTRIES} entries")
    for key, url in socials.items():
        if not SOCIAL_KEY_PATTERN.match(key):
            raise ValueError("keys must be 1 to 32 letters, digits, _ or -")
        check_https_url(url)
    return socials


def public_profile(user: dict[str, Any]) -> dict[str, Any]:
    """The fields of PUBLIC_PROFILE_FIELDS, with the defaults of a new user for any the document lacks.

    Documents the bot created have only a few fields; readers still get every field of the public shape.
    """
    defaults = new_user_document(user_id=user["userId"], username=None, now=_EPOCH)
    # A missing date is unknown, not the epoch.
    defaults.update(linkedAt=None, createdAt=None)
    profile = {field: user.get(field, defaults[field]) for field in PUBLIC_PROFILE_FIELDS}
    if not isinstance(profile["languages"], dict):
        profile["languages"] = defaults["languages"]
    else:
        profile["languages"] = {key: profile["languages"].get(key, 0) for key in USER_LANGUAGE_KEYS}
    return profile


def can_see_profile(profile: Mapping[str, Any], caller: Caller) -> bool:
    """Anyone sees a public profile; a private one only whoever may act for its user (its ingest key, a service key)."""
    return bool(profile["isPublic"]) or caller.acts_for(profile["userId"])
