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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    if key.startswith("@Microsoft.KeyVault("):
        # An unresolved Key Vault reference must never become a working (and guessable) key.
        raise ValueError("is an unresolved Key Vault reference; check the secret and the app's access to it")
    if key and len(key) < 32:
        raise ValueError("must be empty or at least 32 characters")
    return key


def _timezone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("must be an IANA time zone such as UTC or Europe/Berlin") from error


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
STREAK_MIN_SECONDS = declare(
    Setting(
        "STREAK_MIN_SECONDS",
        "60",
        _positive_int,
        "Credited seconds a day (in the user's time zone) needs to count for a streak.",
    )
)
MAX_SESSION_AGE_DAYS = declare(
    Setting(
        "MAX_SESSION_AGE_DAYS",
        "30",
        _positive_int,
        "Sessions that ended longer ago than this many days are refused.",
    )
)
STREAK_DECAY_SCHEDULE = declare(
    Setting(
        "STREAK_DECAY_SCHEDULE",
        "0 10 * * * *",
        ncrontab,
        "When lapsed streaks are set to 0 in the stored user documents (hourly, 10 minutes past, UTC).",
    )
)
BOARD_TIMEZONE = declare(
    Setting(
        "BOARD_TIMEZONE", "UTC", _timezone, "IANA time zone of the day, week and month boards (weeks start Monday)."
    )
)
SNAPSHOT_SCHEDULE = declare(
    Setting(
        "SNAPSHOT_SCHEDULE",
        "0 5 * * * *",
        ncrontab,
        "When the snapshot timer looks for closed periods to snapshot (hourly, 5 minutes past, UTC).",
    )
)
ROLLING_SWEEP_SCHEDULE = declare(
    Setting(
        "ROLLING_SWEEP_SCHEDULE", "0 * * * * *", ncrontab, "When the last-24-hours board sweeper runs (every minute)."
    )
)


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ValueError("must be true or false")
    return value == "true"


CLEANUP_SCHEDULE = declare(
    Setting(
        "CLEANUP_SCHEDULE", "0 0 2 * * Sun", ncrontab, "When the weekly retention cleanup starts (Sunday 02:00 UTC)."
    )
)
STATS_SCHEDULE = declare(
    Setting("STATS_SCHEDULE", "0 0 9 * * Mon", ncrontab, "When the database statistics job runs (Monday 09:00 UTC).")
)
HEALTH_CHECK_SCHEDULE = declare(
    Setting("HEALTH_CHECK_SCHEDULE", "0 30 * * * *", ncrontab, "When the health check runs (every hour at minute 30).")
)
STORAGE_WARN_MB = declare(
    Setting("STORAGE_WARN_MB", "100", _positive_int, "The statistics job warns when the database is larger (MB).")
)
RETENTION_SESSION_DAYS = declare(
    Setting(
        "RETENTION_SESSION_DAYS",
        "90",
        _positive_int,
        "Days detailed coding sessions are kept (their time stays in dailytotals); keep it above MAX_SESSION_AGE_DAYS.",
    )
)
RETENTION_DAY_SNAPSHOT_DAYS = declare(
    Setting("RETENTION_DAY_SNAPSHOT_DAYS", "30", _positive_int, "Days daily leaderboard snapshots are kept.")
)
RETENTION_WEEK_SNAPSHOT_DAYS = declare(
    Setting("RETENTION_WEEK_SNAPSHOT_DAYS", "180", _positive_int, "Days weekly leaderboard snapshots are kept.")
)
RETENTION_MONTH_SNAPSHOT_DAYS = declare(
    Setting("RETENTION_MONTH_SNAPSHOT_DAYS", "730", _positive_int, "Days monthly leaderboard snapshots are kept.")
)
RETENTION_INACTIVE_USER_DAYS = declare(
    Setting(
        "RETENTION_INACTIVE_USER_DAYS",
        "365",
        _positive_int,
        "Days without a session after which a user is marked archived (never deleted).",
    )
)
RETENTION_JOB_RUNS_DAYS = declare(
    Setting("RETENTION_JOB_RUNS_DAYS", "30", _positive_int, "Days job runs are kept; the latest run of each job stays.")
)
CLEANUP_DRY_RUN = declare(
    Setting("CLEANUP_DRY_RUN", "false", _boolean, "true: the scheduled cleanup only counts what it would change.")
)
CLEANUP_BATCH_SIZE = declare(
    Setting("CLEANUP_BATCH_SIZE", "100", _positive_int, "Users per cleanup activity (the orchestration's fan-out).")
)
