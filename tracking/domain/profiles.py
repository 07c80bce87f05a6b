"""Rules of the user document and of profile edits: pure, no I/O.

The ``users`` document is shared with the Discord bot, which reads and saves it with Mongoose: the
field names, the BSON types and the 26 language keys below are a contract (contract section 2.1).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeGuard
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


def _no_languages() -> dict[str, float]:
    return {key: 0 for key in USER_LANGUAGE_KEYS}


@dataclass(frozen=True)
class User:
    """The ``users`` document, field by field in the document's order: each default of contract section 2.1 lives here.

    A document the bot or the replaced server created lacks many fields; they read as these defaults (a
    missing date is unknown, not the epoch). A field that is present is kept as stored. Left out: the bot's
    own fields (badges, border), which it keeps itself, and ``linkCode``, ``linkAPIKey`` and ``deviceId``,
    which this server neither writes nor reads (its codes and keys live hashed in their own collections).
    """

    user_id: str
    username: str = DEFAULT_USERNAME
    display_name: str | None = None
    avatar_url: str | None = None
    linked_at: datetime | None = None
    last_linked_at: datetime | None = None
    is_public: bool = True
    timezone: str = DEFAULT_TIMEZONE
    bio: str = ""
    socials: dict[str, Any] = field(default_factory=dict)
    followers: int = 0
    following: int = 0
    premium: bool = False
    premium_since: datetime | None = None
    # The replaced server stored the string "false"; the bot and this server store a Boolean.
    sponsor: bool | str = False
    sponsor_since: datetime | None = None
    # Never written after creation: kept because the bot's schema declares them.
    daily_coding_time: float = 0
    weekly_coding_time: float = 0
    monthly_coding_time: float = 0

    total_coding_time: float = 0
    current_streak: int = 0
    longest_streak: int = 0
    achievements: list[dict[str, Any]] = field(default_factory=list)
    languages: dict[str, float] = field(default_factory=_no_languages)
    last_session_date: datetime | None = None
    archived: bool = False
    archived_at: datetime | None = None
    extension_linked: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0  # Mongoose's __v
    # This server's own fields (tracking.domain.legacy, tracking.domain.credit); None: never derived by it.
    baseline_coding_time: float | None = None
    baseline_languages: dict[str, float] = field(default_factory=dict)
    credit_version: int | None = None
    tracked_coding_time: float | None = None
    language_totals: dict[str, float] = field(default_factory=dict)


def _document_name(attribute: str) -> str:
    if attribute == "version":
        return "__v"
    head, *rest = attribute.split("_")
    return head + "".join(part.capitalize() for part in rest)


# The document's name of each User field: its camelCase (``user_id`` is ``userId``), and ``__v``.
USER_DOCUMENT_NAMES: dict[str, str] = {item.name: _document_name(item.name) for item in fields(User)}


def new_user(*, user_id: str, username: str | None, now: datetime) -> User:
    """A user this server creates: every default, no time from before this server, credited to version 0."""
    return User(
        user_id=user_id,
        username=username if is_real_username(username) else DEFAULT_USERNAME,
        linked_at=now,
        created_at=now,
        updated_at=now,
        baseline_coding_time=0.0,
        credit_version=0,
        tracked_coding_time=0.0,
    )


def is_real_username(username: str | None) -> TypeGuard[str]:
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


# Names that only mean something inside one network.
LOCAL_HOST_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


def is_public_host(host: str) -> bool:
    """False for loopback, private, link-local, multicast and other non-public addresses, and for local-only names."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(LOCAL_HOST_SUFFIXES):
        return False
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return "." in name  # a single label is a name on the local network
    # ``is_global`` holds for most multicast groups, which are no host anyone should be sent to.
    return address.is_global and not address.is_multicast


def check_https_url(value: str) -> str:
    """An absolute https URL without whitespace, to a public host (clients open it), or ValueError."""
    if len(value) > URL_MAX_LENGTH:
        raise ValueError(f"must be at most {URL_MAX_LENGTH} characters")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an https:// URL")
    if not is_public_host(parts.hostname):
        raise ValueError("must not point at a private, loopback or link-local address")
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


# Characters that reorder the text around them: a name holding one can make a board line read as something else.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(text: str) -> bool:
    """Control characters (NUL, ESC, CR, LF, ...) and bidirectional overrides."""
    return any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in text)


def check_socials(socials: dict[str, str]) -> dict[str, str]:
    """``{platform: https URL}``; platform names become document keys, so no ``$`` or ``.`` in them."""
    if len(socials) > SOCIALS_MAX_ENTRIES:
        raise ValueError(f"must have at most {SOCIALS_MAX_ENTRIES} entries")
    for key, url in socials.items():
        if not SOCIAL_KEY_PATTERN.fullmatch(key):
            raise ValueError("keys must be 1 to 32 letters, digits, _ or -")
        check_https_url(url)
    return socials


_PUBLIC_ATTRIBUTES = {name: attribute for attribute, name in USER_DOCUMENT_NAMES.items()}


def public_profile(user: User) -> dict[str, Any]:
    """The fields of PUBLIC_PROFILE_FIELDS, named as in the document, with all 26 language keys."""
    profile = {name: getattr(user, _PUBLIC_ATTRIBUTES[name]) for name in PUBLIC_PROFILE_FIELDS}
    languages = user.languages if isinstance(user.languages, dict) else {}
    profile["languages"] = {key: languages.get(key, 0) for key in USER_LANGUAGE_KEYS}
    profile["achievements"] = [item for item in user.achievements if isinstance(item, dict)]
    return profile


def can_see_profile(user: User, caller: Caller) -> bool:
    """Anyone sees a public profile; a private one only whoever may act for its user (its ingest key, a service key)."""
    return bool(user.is_public) or caller.acts_for(user.user_id)
