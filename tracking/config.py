"""Settings of the app, read lazily from the environment.

Every setting the app reads is declared here once, with its default and its parser. Nothing is
read at import: a missing or malformed value raises ``SettingError`` naming the setting when it is
first used, so one bad value fails the functions that need it instead of unloading the whole app.
``local.settings.example.json``, the Bicep app settings and docs/settings.md list the same names.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from croniter import croniter

T = TypeVar("T")


class SettingError(RuntimeError):
    """A setting is missing or malformed."""


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _port(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 65535:
        raise ValueError("must be a TCP port between 1 and 65535")
    return value


def _mongodb_uri(raw: str) -> str:
    uri = raw.strip()
    if not uri.startswith(("mongodb://", "mongodb+srv://")):
        raise ValueError("must start with mongodb:// or mongodb+srv://")
    return uri


def _database_name(raw: str) -> str:
    name = raw.strip()
    if not name or any(c in name for c in '/\\. "$') or len(name) > 63:
        raise ValueError('must be a MongoDB database name without / \\ . space " or $')
    return name


def _optional_key(raw: str) -> str:
    key = raw.strip()
    if key and len(key) < 32:
        raise ValueError("must be empty or at least 32 characters")
    return key


def ncrontab(raw: str) -> str:
    expression = raw.strip()
    if len(expression.split()) != 6 or not croniter.is_valid(expression, second_at_beginning=True):
        raise ValueError("must be a six-field NCRONTAB expression (second minute hour day month weekday)")
    return expression


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One app setting: its name, its default (None: required) and how to parse it."""

    name: str
    default: str | None
    parse: Callable[[str], T]
    description: str
    secret: bool = False

    def read(self) -> T:
        raw = os.environ.get(self.name, "")
        if raw.strip() == "":
            if self.default is None:
                raise SettingError(f"Setting {self.name} is required: {self.description}")
            raw = self.default
        try:
            return self.parse(raw)
        except ValueError as error:
            shown = "(hidden)" if self.secret else repr(raw)
            raise SettingError(f"Setting {self.name}={shown} is invalid: {error}") from error

    def is_set(self) -> bool:
        return os.environ.get(self.name, "").strip() != ""


ALL_SETTINGS: list[Setting[Any]] = []


def declare(setting: Setting[T]) -> Setting[T]:
    """Register a setting so that docs, tests and the local host know every name the app reads."""
    ALL_SETTINGS.append(setting)
    return setting


def find_setting(name: str) -> Setting[Any] | None:
    return next((setting for setting in ALL_SETTINGS if setting.name == name), None)


MONGODB_URI = declare(
    Setting(
        "MONGODB_URI",
        None,
        _mongodb_uri,
        "MongoDB connection string. Left empty locally, the local host starts the development database.",
        secret=True,
    )
)
MONGODB_DB = declare(Setting("MONGODB_DB", "distrack", _database_name, "Name of the MongoDB database."))
MONGODB_TIMEOUT_MS = declare(
    Setting(
        "MONGODB_TIMEOUT_MS",
        "5000",
        _positive_int,
        "Milliseconds to wait for a MongoDB server before a request fails with 503.",
    )
)
MAX_BODY_BYTES = declare(
    Setting("MAX_BODY_BYTES", "262144", _positive_int, "Largest request body accepted; larger bodies get 413.")
)
ADMIN_API_KEY = declare(
    Setting(
        "ADMIN_API_KEY",
        "",
        _optional_key,
        "Optional bootstrap key with the admin scope (kept only as a hash).",
        secret=True,
    )
)
SERVICE_API_KEY = declare(
    Setting(
        "SERVICE_API_KEY",
        "",
        _optional_key,
        "Optional bootstrap key with the service scope (kept only as a hash).",
        secret=True,
    )
)
LOCAL_HTTP_PORT = declare(
    Setting("LOCAL_HTTP_PORT", "7071", _port, "Port of the local host (python -m tracking.host).")
)
