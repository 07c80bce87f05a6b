"""Settings of the app, read lazily from the environment.

Every setting the app reads is declared here once, with its default and its parser. Nothing is
read at import: a missing or malformed value raises ``SettingError`` naming the setting when it is
first used, so one bad value fails the functions that need it instead of unloading the whole app.
``local.settings.example.json``, the Bicep app settings and the README's settings table list the same
names. Code reads them through ``settings()``: one typed object per environment, each value parsed on
first access and kept, so a request or job reads its settings once and a ZoneInfo is built once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload
from urllib.parse import urlsplit
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


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be zero or a positive integer")
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


def _optional_secret(raw: str) -> str:
    secret = raw.strip()
    if secret.startswith("@Microsoft.KeyVault("):
        # An unresolved Key Vault reference must never become a working (and guessable) key.
        raise ValueError("is an unresolved Key Vault reference; check the secret and the app's access to it")
    return secret


def _optional_key(raw: str) -> str:
    key = _optional_secret(raw)
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

    def parse_from(self, environ: Mapping[str, str]) -> T:
        raw = environ.get(self.name, "")
        if raw.strip() == "":
            if self.default is None:
                raise SettingError(f"Setting {self.name} is required: {self.description}")
            raw = self.default
        try:
            return self.parse(raw)
        except ValueError as error:
            shown = "(hidden)" if self.secret else repr(raw)
            raise SettingError(f"Setting {self.name}={shown} is invalid: {error}") from error

    def is_set_in(self, environ: Mapping[str, str]) -> bool:
        return environ.get(self.name, "").strip() != ""


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
        "Milliseconds one MongoDB operation may wait (for a server, a connection or an answer) before the request"
        " fails with 503.",
    )
)
MONGODB_JOB_TIMEOUT_MS = declare(
    Setting(
        "MONGODB_JOB_TIMEOUT_MS",
        "600000",
        _positive_int,
        "Milliseconds one MongoDB operation of a timer or a Durable activity may wait for its answer (the "
        "function timeout is 10 minutes); such operations are also retried once, as requests' are not.",
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


def _secret_key(raw: str) -> str:
    key = _optional_secret(raw)
    if len(key) < 32:
        raise ValueError("must be at least 32 characters")
    return key


LINK_SECRET = declare(
    Setting(
        "LINK_SECRET",
        None,
        _secret_key,
        "Server-side key (at least 32 characters) that link codes are hashed with and pending keys and webhook "
        "signing secrets sealed with, so that a copy of the database alone recovers none. A Key Vault reference "
        "in Azure.",
        secret=True,
    )
)


def _snowflake_or_empty(raw: str) -> str:
    value = raw.strip()
    if value and not (value.isascii() and value.isdigit()):
        raise ValueError("must be empty or a Discord application id (digits)")
    return value


def _absolute_url(raw: str) -> str:
    """An absolute http(s) URL without whitespace or fragment, kept exactly (a redirect_uri must match)."""
    value = raw.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment or any(c.isspace() for c in value):
        raise ValueError("must be an absolute http:// or https:// URL without a fragment")
    return value


def _base_url(raw: str) -> str:
    """An absolute URL that paths are appended to: no query, no trailing slash."""
    value = _absolute_url(raw)
    if urlsplit(value).query:
        raise ValueError("must not have a query string")
    return value.rstrip("/")


def _url_list(raw: str) -> tuple[str, ...]:
    return tuple(_absolute_url(item) for item in raw.split(",") if item.strip())


# Hosts an outbound base URL may name over plain http: a fake server in tests or on a laptop.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _outbound_base(raw: str) -> str:
    """Where the app calls out to: https, or plain http to a loopback fake."""
    value = _base_url(raw)
    parts = urlsplit(value)
    if parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("must be an https:// URL (plain http only to a loopback address)")
    return value


DISCORD_SCOPE_NAMES = ("identify", "email")


def _discord_scopes(raw: str) -> tuple[str, ...]:
    scopes = tuple(dict.fromkeys(raw.replace(",", " ").split()))
    if "identify" not in scopes or not set(scopes) <= set(DISCORD_SCOPE_NAMES):
        raise ValueError("must be identify, or identify email")
    return scopes


DISCORD_CLIENT_ID = declare(
    Setting(
        "DISCORD_CLIENT_ID",
        "",
        _snowflake_or_empty,
        "Application id of the Discord app that signs users in to the website; empty: the sign-in routes answer 503.",
    )
)
DISCORD_CLIENT_SECRET = declare(
    Setting(
        "DISCORD_CLIENT_SECRET",
        "",
        _optional_secret,
        "Client secret of that Discord app (the token exchange sends it). A Key Vault reference in Azure.",
        secret=True,
    )
)
DISCORD_API_BASE = declare(
    Setting(
        "DISCORD_API_BASE",
        "https://discord.com/api",
        _outbound_base,
        "Base URL of Discord's API: /oauth2/authorize (where browsers are sent), /oauth2/token and /users/@me.",
    )
)
DISCORD_CDN_URL = declare(
    Setting(
        "DISCORD_CDN_URL",
        "https://cdn.discordapp.com",
        _outbound_base,
        "Discord's CDN: signed-in users' avatar URLs point here, and profile cards fetch avatars from nowhere else.",
    )
)
DISCORD_REDIRECT_URI = declare(
    Setting(
        "DISCORD_REDIRECT_URI",
        "http://localhost:7071/api/auth/discord/callback",
        _absolute_url,
        "This app's GET /api/auth/discord/callback as browsers reach it (registered as a redirect of the "
        "Discord app); always an allowed redirect_uri.",
    )
)
DISCORD_SCOPES = declare(
    Setting(
        "DISCORD_SCOPES", "identify", _discord_scopes, "Discord OAuth scopes asked for: identify, or identify email."
    )
)
AUTH_REDIRECT_URIS = declare(
    Setting(
        "AUTH_REDIRECT_URIS",
        "",
        _url_list,
        "Comma-separated redirect_uri values, besides DISCORD_REDIRECT_URI, that a sign-in may name (matched exactly).",
    )
)
WEBSITE_URL = declare(
    Setting(
        "WEBSITE_URL",
        "https://distrack.nexusgit.info",
        _base_url,
        "The website: a sign-in ends at its /auth/distrack (or /login with an error), embeds link to its /user/{id}.",
    )
)
WEBSITE_JWT_SECRET = declare(
    Setting(
        "WEBSITE_JWT_SECRET",
        "",
        _optional_key,
        "Key (at least 32 characters) that website session tokens and sign-in states are signed with (HS256); "
        "empty: no sign-in. A Key Vault reference in Azure; changing it signs every website session out.",
        secret=True,
    )
)

TRUSTED_PROXY_HOPS = declare(
    Setting(
        "TRUSTED_PROXY_HOPS",
        "1",
        _positive_int,
        "How many proxies in front of the app append to X-Forwarded-For (Azure's front end: 1; the local host "
        "stands for it); the client is the entry that many from the end.",
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
WAKATIME_TIMEOUT_MINUTES = declare(
    Setting(
        "WAKATIME_TIMEOUT_MINUTES",
        "15",
        _positive_int,
        "Heartbeats of an editor at most this many minutes apart are joined into one credited interval.",
    )
)
PRESENCE_TTL_SECONDS = declare(
    Setting(
        "PRESENCE_TTL_SECONDS",
        "120",
        _positive_int,
        "Seconds after a user's last heartbeat (POST /api/heartbeat) that they stop being coding now.",
    )
)
HEARTBEAT_MIN_GAP_SECONDS = declare(
    Setting(
        "HEARTBEAT_MIN_GAP_SECONDS",
        "2",
        _non_negative_int,
        "A user's presence takes at most one heartbeat (POST /api/heartbeat) in this many seconds; sooner ones "
        "get 429. 0 turns the limit off.",
    )
)
WAKATIME_IMPORT_MAX_BYTES = declare(
    Setting(
        "WAKATIME_IMPORT_MAX_BYTES",
        "33554432",
        _positive_int,
        "Largest WakaTime heartbeats dump POST /api/user/{userId}/import/wakatime accepts (bytes); larger get 413.",
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


CREDIT_SWEEP_SCHEDULE = declare(
    Setting(
        "CREDIT_SWEEP_SCHEDULE",
        "0 */10 * * * *",
        ncrontab,
        "When sessions a failed request stored but never credited are credited (every 10 minutes).",
    )
)
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
RETENTION_WEBHOOK_DELIVERIES_DAYS = declare(
    Setting(
        "RETENTION_WEBHOOK_DELIVERIES_DAYS",
        "30",
        _positive_int,
        "Days webhook events, finished deliveries and their attempts (the delivery log) are kept.",
    )
)


def _delays(raw: str) -> tuple[int, ...]:
    delays = tuple(int(part) for part in raw.split(","))
    if not delays or any(delay <= 0 for delay in delays):
        raise ValueError("must be positive numbers of seconds separated by commas")
    return delays


WEBHOOK_DELIVERY_SCHEDULE = declare(
    Setting(
        "WEBHOOK_DELIVERY_SCHEDULE",
        "*/5 * * * * *",
        ncrontab,
        "When webhook events are fanned out to their subscriptions and due deliveries are sent (every 5 seconds).",
    )
)
WEBHOOK_RETRY_DELAYS = declare(
    Setting(
        "WEBHOOK_RETRY_DELAYS",
        "60,300,1800,7200,43200",
        _delays,
        "Seconds before each retry of a failed webhook delivery; after the last one the delivery is failed.",
    )
)
WEBHOOK_ALLOW_INSECURE_LOOPBACK = declare(
    Setting(
        "WEBHOOK_ALLOW_INSECURE_LOOPBACK",
        "false",
        _boolean,
        "Development only: true lets webhooks target http://127.0.0.1:<port> (a local receiver).",
    )
)
CLEANUP_DRY_RUN = declare(
    Setting("CLEANUP_DRY_RUN", "false", _boolean, "true: the scheduled cleanup only counts what it would change.")
)
CLEANUP_BATCH_SIZE = declare(
    Setting("CLEANUP_BATCH_SIZE", "100", _positive_int, "Users per cleanup activity (the orchestration's fan-out).")
)


class _Field(Generic[T]):
    """A typed attribute of ``Settings``: parsed on first access, then kept on the instance."""

    def __init__(self, setting: Setting[T]):
        self.setting = setting

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = name

    @overload
    def __get__(self, instance: None, owner: type) -> _Field[T]: ...

    @overload
    def __get__(self, instance: Settings, owner: type) -> T: ...

    def __get__(self, instance: Settings | None, owner: type) -> T | _Field[T]:
        if instance is None:
            return self
        value = self.setting.parse_from(instance.environ)
        # A non-data descriptor: the value stored on the instance is found first from now on.
        instance.__dict__[self.attribute] = value
        return value


class Settings:
    """Every setting of one environment. A bad value raises SettingError only where it is read."""

    mongodb_uri = _Field(MONGODB_URI)
    mongodb_db = _Field(MONGODB_DB)
    mongodb_timeout_ms = _Field(MONGODB_TIMEOUT_MS)
    mongodb_job_timeout_ms = _Field(MONGODB_JOB_TIMEOUT_MS)
    max_body_bytes = _Field(MAX_BODY_BYTES)
    admin_api_key = _Field(ADMIN_API_KEY)
    service_api_key = _Field(SERVICE_API_KEY)
    link_secret = _Field(LINK_SECRET)
    discord_client_id = _Field(DISCORD_CLIENT_ID)
    discord_client_secret = _Field(DISCORD_CLIENT_SECRET)
    discord_api_base = _Field(DISCORD_API_BASE)
    discord_cdn_url = _Field(DISCORD_CDN_URL)
    discord_redirect_uri = _Field(DISCORD_REDIRECT_URI)
    discord_scopes = _Field(DISCORD_SCOPES)
    auth_redirect_uris = _Field(AUTH_REDIRECT_URIS)
    website_url = _Field(WEBSITE_URL)
    website_jwt_secret = _Field(WEBSITE_JWT_SECRET)
    trusted_proxy_hops = _Field(TRUSTED_PROXY_HOPS)
    local_http_port = _Field(LOCAL_HTTP_PORT)
    streak_min_seconds = _Field(STREAK_MIN_SECONDS)
    max_session_age_days = _Field(MAX_SESSION_AGE_DAYS)
    wakatime_timeout_minutes = _Field(WAKATIME_TIMEOUT_MINUTES)
    wakatime_import_max_bytes = _Field(WAKATIME_IMPORT_MAX_BYTES)
    presence_ttl_seconds = _Field(PRESENCE_TTL_SECONDS)
    heartbeat_min_gap_seconds = _Field(HEARTBEAT_MIN_GAP_SECONDS)
    streak_decay_schedule = _Field(STREAK_DECAY_SCHEDULE)
    board_timezone = _Field(BOARD_TIMEZONE)
    snapshot_schedule = _Field(SNAPSHOT_SCHEDULE)
    rolling_sweep_schedule = _Field(ROLLING_SWEEP_SCHEDULE)
    credit_sweep_schedule = _Field(CREDIT_SWEEP_SCHEDULE)
    cleanup_schedule = _Field(CLEANUP_SCHEDULE)
    stats_schedule = _Field(STATS_SCHEDULE)
    health_check_schedule = _Field(HEALTH_CHECK_SCHEDULE)
    storage_warn_mb = _Field(STORAGE_WARN_MB)
    retention_session_days = _Field(RETENTION_SESSION_DAYS)
    retention_day_snapshot_days = _Field(RETENTION_DAY_SNAPSHOT_DAYS)
    retention_week_snapshot_days = _Field(RETENTION_WEEK_SNAPSHOT_DAYS)
    retention_month_snapshot_days = _Field(RETENTION_MONTH_SNAPSHOT_DAYS)
    retention_inactive_user_days = _Field(RETENTION_INACTIVE_USER_DAYS)
    retention_job_runs_days = _Field(RETENTION_JOB_RUNS_DAYS)
    retention_webhook_deliveries_days = _Field(RETENTION_WEBHOOK_DELIVERIES_DAYS)
    webhook_delivery_schedule = _Field(WEBHOOK_DELIVERY_SCHEDULE)
    webhook_retry_delays = _Field(WEBHOOK_RETRY_DELAYS)
    webhook_allow_insecure_loopback = _Field(WEBHOOK_ALLOW_INSECURE_LOOPBACK)
    cleanup_dry_run = _Field(CLEANUP_DRY_RUN)
    cleanup_batch_size = _Field(CLEANUP_BATCH_SIZE)

    def __init__(self, environ: Mapping[str, str]):
        self.environ = _settings_environ(environ)

    def is_set(self, setting: Setting[Any]) -> bool:
        return setting.is_set_in(self.environ)


def _settings_environ(environ: Mapping[str, str]) -> dict[str, str]:
    return {setting.name: environ[setting.name] for setting in ALL_SETTINGS if setting.name in environ}


_cached: Settings | None = None
_cached_lock = threading.Lock()


def settings() -> Settings:
    """The settings of the current environment, built on first use and rebuilt when the environment changes.

    Comparing the raw values is cheap; parsing happens once per value. Tests override a setting by
    setting its environment variable (``monkeypatch.setenv``).
    """
    global _cached
    current = _cached
    if current is not None and current.environ == _settings_environ(os.environ):
        return current
    with _cached_lock:
        _cached = Settings(os.environ)
        return _cached
