"""Pydantic request and response models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictStr,
    field_validator,
    model_validator,
)

from tracking.domain import linking, profiles, webhooks
from tracking.domain.periods import ManualSnapshotTimeframe, Timeframe
from tracking.domain.profiles import USER_ID_PATTERN

# Validators come from tracking.domain; strict types keep a non-string from ever reaching a query.

UserIdText = Annotated[StrictStr, Field(pattern=USER_ID_PATTERN)]
NameText = Annotated[StrictStr, AfterValidator(profiles.check_display_text)]
HttpsUrlText = Annotated[StrictStr, AfterValidator(profiles.check_https_url)]
DeviceIdText = Annotated[StrictStr, Field(pattern=linking.DEVICE_ID_PATTERN.pattern)]


class DatabaseHealth(BaseModel):
    status: Literal["up", "down"]
    latencyMs: float | None = None


class HealthPublic(BaseModel):
    status: Literal["OK", "DEGRADED"]
    timestamp: datetime
    uptime: float
    database: DatabaseHealth


class ApiIndexPublic(BaseModel):
    name: str
    version: str
    docs: str
    health: str


# Coding sessions (issue 5)


class SessionCreate(BaseModel):
    """One session as the extension sends it; ``streakData`` and unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    userId: str = Field(pattern=USER_ID_PATTERN)  # a Discord snowflake, as the extension requires
    # The one rule of names shown to others (as POST /link and profile edits apply it).
    username: NameText | None = None
    duration: StrictFloat | None = None
    sessionDate: datetime | None = None
    startTime: datetime | None = None
    endTime: datetime | None = None
    languages: dict[str, StrictFloat] = Field(default_factory=dict)
    sessionId: str | None = Field(default=None, min_length=1, max_length=128)
    projectName: str | None = Field(default=None, max_length=200)
    editor: str | None = Field(default=None, max_length=100)
    streakData: Any = None

    @field_validator("username", mode="before")
    @classmethod
    def _blank_is_no_name(cls, value: Any) -> Any:
        # A blank name is the same as none (it never renames a user), as the extension's "EFU" placeholder is.
        return None if isinstance(value, str) and not value.strip() else value


class SessionsCreate(BaseModel):
    """A bulk upload: each item is validated on its own and gets its own result."""

    sessions: list[Any] = Field(min_length=1, max_length=100)


class SessionRecordedPublic(BaseModel):
    message: Literal["Session recorded successfully!", "Session already recorded"]
    sessionId: str


class SessionResultPublic(BaseModel):
    index: int
    status: Literal["recorded", "duplicate", "invalid", "forbidden"]
    sessionId: str | None = None
    message: str | None = None
    errors: list[dict[str, str]] | None = None


class SessionsRecordedPublic(BaseModel):
    recorded: int
    duplicates: int
    rejected: int
    results: list[SessionResultPublic]


class StreakPublic(BaseModel):
    currentStreak: int
    longestStreak: int


class AchievementPublic(BaseModel):
    name: str
    description: str
    category: str
    target: float
    earnedAt: datetime | None


class NextMilestonePublic(BaseModel):
    name: str
    description: str
    category: str
    target: float
    language: str | None = None
    current: float
    progress: float


class AchievementsPublic(BaseModel):
    userId: str
    earned: list[AchievementPublic]
    next: dict[str, NextMilestonePublic | None]


class LeaderboardQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500)
    # Pages beyond this are past any board (50 million entries at the largest limit): refused, not overflowed.
    page: int = Field(default=1, ge=1, le=100_000)
    cursor: str | None = None
    language: str | None = Field(default=None, min_length=1, max_length=64)
    userId: str | None = Field(default=None, min_length=1, max_length=64)
    envelope: bool = False


class LeaderboardEntryPublic(BaseModel):
    userId: str
    username: str
    displayName: str
    rank: int
    totalTime: float
    rankDelta: int
    previousRank: int | None


class LeaderboardPublic(BaseModel):
    timeframe: str
    periodKey: str
    language: str | None
    start: datetime | None
    end: datetime | None
    timezone: str
    generatedAt: datetime
    entries: list[LeaderboardEntryPublic]
    me: LeaderboardEntryPublic | None
    neighbours: list[LeaderboardEntryPublic]
    nextCursor: str | None


class TopUserPublic(BaseModel):
    username: str
    displayName: str
    totalCodingTime: float
    userId: str


class GrowthQuery(BaseModel):
    period: str = "week"
    limit: int = Field(default=10, ge=1, le=100)


class GrowthEntryPublic(BaseModel):
    userId: str
    name: str
    avatarUrl: str | None
    deltaHours: float
    totalHours: float


class SnapshotCreate(BaseModel):
    periodKey: str | None = Field(default=None, min_length=1, max_length=32)


class SnapshotPublic(BaseModel):
    success: bool
    message: str
    snapshotCount: int
    periodKey: str


class HistoryQuery(BaseModel):
    limit: int = Field(default=30, ge=1, le=365)


class HistoryEntryPublic(BaseModel):
    timestamp: datetime
    periodKey: str
    rank: int
    totalTime: float


# Accounts and access (issue 4): users and profiles, API keys, the extension link flow.


class UserLinkCreate(BaseModel):
    userId: UserIdText
    username: NameText
    displayName: NameText | None = None
    avatarUrl: HttpsUrlText | None = None


class UserSummaryPublic(BaseModel):
    userId: str
    username: str
    displayName: str | None
    avatarUrl: str | None
    totalCodingTime: float
    currentStreak: int


class UserLinkedPublic(BaseModel):
    message: str
    user: UserSummaryPublic


class ProfileSummaryPublic(BaseModel):
    """What a profile update answers: an explicit list, with no link code, key or device id."""

    userId: str
    username: str
    displayName: str | None
    avatarUrl: str | None
    bio: str
    socials: dict[str, Any]
    isPublic: bool
    timezone: str
    totalCodingTime: float
    currentStreak: int


class ProfileAchievementPublic(BaseModel):
    """An earned achievement as a profile shows it: the bot's fields and when it was earned, nothing else.

    The bot's documents may hold an ObjectId ``_id`` or other keys in each item (Mongoose adds them); they
    are left out rather than echoed.
    """

    model_config = ConfigDict(extra="ignore")

    name: str = ""
    target: float = 0
    description: str = ""
    category: str = ""
    earnedAt: datetime | None = None


class UserProfilePublic(ProfileSummaryPublic):
    """The public view of a profile: the summary and the rest of the public fields."""

    longestStreak: int
    lastSessionDate: datetime | None
    languages: dict[str, float]
    achievements: list[ProfileAchievementPublic]
    premium: bool
    extensionLinked: bool
    linkedAt: datetime | None
    lastLinkedAt: datetime | None
    createdAt: datetime | None


class PrivateProfilePublic(BaseModel):
    """What anyone but the user and a service key sees of a private profile."""

    userId: str
    isPublic: Literal[False]


class UserProfileUpdate(BaseModel):
    """A profile edit; a field left out (or null) is left unchanged."""

    model_config = ConfigDict(extra="forbid")

    username: NameText | None = None
    displayName: NameText | None = None
    avatarUrl: HttpsUrlText | None = None
    bio: Annotated[StrictStr, Field(max_length=profiles.BIO_MAX_LENGTH)] | None = None
    socials: Annotated[dict[StrictStr, StrictStr], AfterValidator(profiles.check_socials)] | None = None
    isPublic: StrictBool | None = None
    timezone: Annotated[StrictStr, AfterValidator(profiles.check_timezone)] | None = None


class ProfileUpdatedPublic(BaseModel):
    message: str
    user: ProfileSummaryPublic


class UserSearchQuery(BaseModel):
    q: Annotated[str, Field(max_length=100), AfterValidator(profiles.check_search_text)]
    # More than the maximum is served as the maximum, as the replaced server did.
    limit: Annotated[int, Field(ge=1), AfterValidator(lambda value: min(value, profiles.SEARCH_MAX_LIMIT))] = 10


class UserSearchResultPublic(UserSummaryPublic):
    longestStreak: int


class UsersSearchPublic(BaseModel):
    users: list[UserSearchResultPublic]


class ApiKeyCreate(BaseModel):
    """A key to issue: ``ingest`` keys belong to a user (and optionally a device), others to no one."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["ingest", "service", "admin"]
    label: NameText
    userId: UserIdText | None = None
    deviceId: DeviceIdText | None = None
    # ``wakatime``: an editor key, ``waka_<uuid4>``, for the WakaTime-compatible routes only.
    format: Literal["distrack", "wakatime"] = "distrack"

    @model_validator(mode="after")
    def _owner_matches_scope(self) -> ApiKeyCreate:
        if self.scope == "ingest" and self.userId is None:
            raise ValueError("an ingest key needs a userId")
        if self.format == "wakatime" and self.scope != "ingest":
            raise ValueError("a wakatime key is an ingest key")
        if self.scope != "ingest" and (self.userId is not None or self.deviceId is not None):
            raise ValueError("only an ingest key has a userId or deviceId")
        return self


class ApiKeyQuery(BaseModel):
    userId: str | None = Field(default=None, max_length=64)
    scope: Literal["ingest", "service", "admin"] | None = None
    includeRevoked: bool = False


class ApiKeyPublic(BaseModel):
    """A key as listed: never the key itself, only its first characters."""

    id: str
    prefix: str
    label: str
    scope: str
    format: str
    userId: str | None
    deviceId: str | None
    createdAt: datetime
    lastUsedAt: datetime | None
    revokedAt: datetime | None


class ApiKeyIssued(ApiKeyPublic):
    """The one response that shows a key, when it is created."""

    key: str


class ApiKeysPublic(BaseModel):
    data: list[ApiKeyPublic]
    count: int


class LinkCodePublic(BaseModel):
    linkCode: str
    expiresAt: datetime
    length: int
    cooldownSeconds: int


class SuccessPublic(BaseModel):
    success: bool


class ExtensionLinkCreate(BaseModel):
    # Upper-cased so a code typed in lower case still matches; the extension itself sends upper case.
    linkCode: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9]{6}$"), AfterValidator(str.upper)]
    deviceId: DeviceIdText | None = None


class ExtensionUserPublic(BaseModel):
    userId: str
    username: str
    displayName: str | None
    extensionLinked: bool
    totalCodingTime: float


class ExtensionLinkedPublic(BaseModel):
    success: Literal[True]
    user: ExtensionUserPublic
    token: str


class ExtensionKeyPublic(BaseModel):
    token: str


# Admin and operations (issue 7)


class CleanupCreate(BaseModel):
    """POST /api/admin/cleanup; an empty body uses the CLEANUP_DRY_RUN setting."""

    model_config = ConfigDict(extra="forbid")

    dryRun: StrictBool | None = None


class OrchestrationStartedPublic(BaseModel):
    """The answer of a Durable job's start route (the cleanup, the boards rebuild)."""

    id: str
    started: bool
    runtimeStatus: str
    statusUrl: str


class OrchestrationStatusPublic(BaseModel):
    """The answer of a Durable job's status route: ``progress`` is its custom status, ``result`` its output."""

    id: str
    runtimeStatus: str
    createdTime: datetime | None
    lastUpdatedTime: datetime | None
    progress: dict[str, Any] | None
    result: dict[str, Any] | None
    error: str | None


class SnapshotTriggerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeframe: ManualSnapshotTimeframe | None = None


class RecentSessionsQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)


class EditorKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: NameText = "Editor"


class EditorKeyIssued(BaseModel):
    """The one response that shows an editor key, when it is created."""

    key: str
    id: str
    label: str
    createdAt: datetime


class EditorKeyPublic(BaseModel):
    """An editor key as listed: never the key itself, only its first characters."""

    id: str
    prefix: str
    label: str
    createdAt: datetime
    lastUsedAt: datetime | None
    revokedAt: datetime | None


class EditorKeysPublic(BaseModel):
    data: list[EditorKeyPublic]
    count: int


def _category(value: str) -> str:
    return value.strip().lower()


class HeartbeatCreate(BaseModel):
    """One WakaTime heartbeat as wakatime-cli sends it; fields it sends that joining does not use are ignored."""

    model_config = ConfigDict(extra="ignore")

    entity: StrictStr = Field(min_length=1, max_length=4096)
    type: StrictStr = Field(default="file", max_length=32)
    category: Annotated[StrictStr, Field(max_length=64), AfterValidator(_category)] = "coding"
    time: StrictFloat
    project: StrictStr | None = Field(default=None, max_length=256)
    branch: StrictStr | None = Field(default=None, max_length=256)
    language: StrictStr | None = Field(default=None, max_length=64)
    is_write: StrictBool | None = None
    user_agent: StrictStr | None = Field(default=None, max_length=512)


class HeartbeatPublic(BaseModel):
    id: str
    entity: str
    type: str
    category: str
    time: float
    project: str | None
    branch: str | None
    language: str | None
    is_write: bool | None


class HeartbeatCreatedPublic(BaseModel):
    data: HeartbeatPublic


class HeartbeatErrorPublic(BaseModel):
    error: str


class HeartbeatsBulkPublic(BaseModel):
    """WakaTime's bulk answer: per heartbeat, in order, ``[{"data": ...} or {"error": ...}, status]``."""

    responses: list[tuple[HeartbeatCreatedPublic | HeartbeatErrorPublic, int]]


class WakaTimeDurationPublic(BaseModel):
    decimal: str
    digital: str
    hours: int
    minutes: int
    seconds: int
    text: str
    total_seconds: float


class WakaTimeItemPublic(WakaTimeDurationPublic):
    name: str
    percent: float


class StatusBarRangePublic(BaseModel):
    date: str
    start: datetime
    end: datetime
    text: str
    timezone: str


class StatusBarDataPublic(BaseModel):
    grand_total: WakaTimeDurationPublic
    categories: list[WakaTimeItemPublic]
    languages: list[WakaTimeItemPublic]
    editors: list[WakaTimeItemPublic] = []
    projects: list[WakaTimeItemPublic] = []
    machines: list[WakaTimeItemPublic] = []
    operating_systems: list[WakaTimeItemPublic] = []
    dependencies: list[WakaTimeItemPublic] = []
    range: StatusBarRangePublic


class StatusBarPublic(BaseModel):
    cached_at: datetime
    data: StatusBarDataPublic
    has_team_features: bool = False


class AllTimeRangePublic(BaseModel):
    start: datetime | None
    start_date: str | None
    end: datetime
    end_date: str
    timezone: str


class AllTimeDataPublic(BaseModel):
    decimal: str
    digital: str
    text: str
    total_seconds: float
    is_up_to_date: bool = True
    percent_calculated: int = 100
    timeout: int
    range: AllTimeRangePublic


class AllTimePublic(BaseModel):
    data: AllTimeDataPublic


class WakaTimeImportedPublic(BaseModel):
    """Heartbeats of a dump: new, already held, in a category that does not count, refused (malformed)."""

    imported: int
    duplicates: int
    ignored: int
    refused: int


# Stats (issue 13). Days are YYYY-MM-DD; hours are rounded to 2 decimals, seconds to 3.

RangeDays = Annotated[int, Field(ge=1, le=366)]


class GlobalTrendsQuery(BaseModel):
    days: RangeDays = 7


class GlobalHeatmapQuery(BaseModel):
    window: RangeDays = 30


class GlobalLanguagesQuery(BaseModel):
    """``period`` as the replaced server read it, or the website's ``days``; ``compare=false`` drops ``previous``."""

    period: Literal["day", "1d", "week", "7d", "month", "30d"] | None = None
    days: RangeDays | None = None
    limit: int | None = Field(default=None, ge=1, le=100)
    compare: bool = True


class UserRangeQuery(BaseModel):
    startDate: date | None = None
    endDate: date | None = None


class UserLanguagesQuery(UserRangeQuery):
    topN: int = Field(default=6, ge=1, le=50)


class UserHeatmapQuery(BaseModel):
    year: int | None = Field(default=None, ge=2000, le=9999)


class ActiveUsersPublic(BaseModel):
    last7Days: int
    last30Days: int


class GlobalTotalsPublic(BaseModel):
    users: int
    sessions: int
    activeUsers: ActiveUsersPublic


class WeeklyActivityPublic(BaseModel):
    year: int
    week: int
    weekStart: datetime
    totalHours: float


class ExtensionStatsPublic(BaseModel):
    linkedUsers: int
    marketplaceDownloads: None = None


class GlobalStatsPublic(BaseModel):
    totals: GlobalTotalsPublic
    weeklyActivity: list[WeeklyActivityPublic]
    extension: ExtensionStatsPublic
    timezone: str
    generatedAt: datetime


class GlobalLivePublic(BaseModel):
    totalHoursTracked: float
    usersOnline: int
    sessionsToday: int
    topLanguageToday: str | None
    avgSessionMinutes: float
    timezone: str
    generatedAt: datetime


class GlobalTrendsPublic(BaseModel):
    dates: list[date]
    hoursTracked: list[float]
    activeUsers: list[int]
    avgStreak: list[float]
    timezone: str
    generatedAt: datetime


class GlobalHeatmapPublic(BaseModel):
    matrix: list[list[float]]
    window: int
    timezone: str
    generatedAt: datetime


class GlobalLanguagesPublic(BaseModel):
    current: dict[str, float]
    previous: dict[str, float]
    days: int
    timezone: str
    generatedAt: datetime


class StatsRangePublic(BaseModel):
    start: date
    end: date
    timezone: str


class StatsSummaryPublic(BaseModel):
    sessionsCount: int
    totalHours: float
    averageSessionMinutes: float
    focusRatio: float
    contextSwitchesPerDay: float


class HourlyPatternsPublic(BaseModel):
    weekdays: list[float]
    weekends: list[float]


class DailyPointPublic(BaseModel):
    date: date
    totalHours: float
    sessions: int


class AveragePointPublic(BaseModel):
    date: date
    hours: float


class MovingAveragesPublic(BaseModel):
    ma7: list[AveragePointPublic]
    ma30: list[AveragePointPublic]


class AnomalyPublic(BaseModel):
    date: date
    hours: float
    ratio: float


class AnomaliesPublic(BaseModel):
    spikes: list[AnomalyPublic]
    drops: list[AnomalyPublic]


class DailyStatsPublic(BaseModel):
    series: list[DailyPointPublic]
    movingAverages: MovingAveragesPublic
    anomalies: AnomaliesPublic
    deepWorkDays: list[date]


class WeeklyPointPublic(BaseModel):
    year: int
    week: int
    weekStart: date
    totalHours: float
    key: str


class WeekChangePublic(BaseModel):
    weekKey: str
    pctChange: float | None


class WeeklyStatsPublic(BaseModel):
    series: list[WeeklyPointPublic]
    weekOverWeek: list[WeekChangePublic]


class UserFilterPublic(BaseModel):
    range: StatsRangePublic
    summary: StatsSummaryPublic
    hourlyPatterns: HourlyPatternsPublic
    daily: DailyStatsPublic
    weekly: WeeklyStatsPublic


class LanguageDayPublic(BaseModel):
    date: date
    languages: dict[str, float]


class UserLanguagesPublic(BaseModel):
    range: StatsRangePublic
    topLanguages: list[str]
    timeseries: list[LanguageDayPublic]
    totals: dict[str, float]


class UserHeatmapPublic(BaseModel):
    year: int
    timezone: str
    totalHours: float
    days: dict[str, float]


# A user's own data (issue 13)


class ExportQuery(BaseModel):
    cursor: str | None = Field(default=None, max_length=64)


class DailyTotalExport(BaseModel):
    day: date
    seconds: float
    hours: list[float]
    languages: dict[str, float]


class RankHistoryExport(BaseModel):
    timeframe: str
    periodKey: str
    timestamp: datetime
    rank: int
    totalTime: float


class UserExportPublic(BaseModel):
    """``profile`` is the public profile shape; ``sessions`` one page of them, continued with ``nextCursor``."""

    profile: dict[str, Any]
    dailyTotals: list[DailyTotalExport]
    rankHistory: list[RankHistoryExport]
    sessions: list[dict[str, Any]]
    nextCursor: str | None


class UserDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: StrictStr


class UserDeletedPublic(BaseModel):
    message: str
    deleted: dict[str, int]


# Sign in with Discord and the website session (issue 14)

# Long enough for any OAuth code, state or URL; a longer value is refused before anything is called.
OAuthText = Annotated[StrictStr, Field(min_length=1, max_length=2048)]


class AuthorizeQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    redirect_uri: OAuthText | None = None


class AuthorizeUrlQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    redirect_uri: OAuthText


class DiscordAuthUrlPublic(BaseModel):
    authUrl: str
    clientId: str
    scopes: list[str]


class DiscordCallbackQuery(BaseModel):
    """What Discord appends to the redirect: ``code`` and ``state``, or ``error`` (``access_denied``) and ``state``."""

    model_config = ConfigDict(extra="ignore")

    code: OAuthText | None = None
    state: OAuthText | None = None
    error: OAuthText | None = None


class DiscordCallbackCreate(BaseModel):
    """The JSON flow: the code the website received at ``redirect_uri``, and the state of the authorize URL if kept."""

    model_config = ConfigDict(extra="ignore")

    code: OAuthText
    redirect_uri: OAuthText
    state: OAuthText | None = None


class SignedInUserPublic(BaseModel):
    """The user as the website keeps it after a sign-in (the ``user`` of its /auth/distrack redirect)."""

    userId: str
    username: str
    displayName: str | None
    avatarUrl: str | None
    totalCodingTime: float
    currentStreak: int
    longestStreak: int


class DiscordAccountPublic(BaseModel):
    """What Discord said of the account; ``email`` and ``verified`` only with the email scope. No token."""

    id: str
    username: str
    global_name: str | None
    avatar: str | None
    email: str | None
    verified: bool | None


class DiscordSignInPublic(BaseModel):
    jwt_token: str
    user: DiscordAccountPublic
    userProfile: SignedInUserPublic


class AuthenticatedPublic(BaseModel):
    authenticated: Literal[True]
    user: SignedInUserPublic


class TokenVerifiedPublic(BaseModel):
    valid: Literal[True]
    user: SignedInUserPublic


class MessagePublic(BaseModel):
    message: str


class DiscordUserPublic(SignedInUserPublic):
    linkedAt: datetime | None
    lastLinkedAt: datetime | None


class DiscordUserFoundPublic(BaseModel):
    exists: Literal[True]
    user: DiscordUserPublic | PrivateProfilePublic


class DiscordUserCreate(BaseModel):
    """The website's old user creation; ``email`` and ``timezone`` (which it sends) are accepted and not stored."""

    model_config = ConfigDict(extra="forbid")

    discordId: UserIdText
    username: NameText
    displayName: NameText | None = None
    avatarUrl: HttpsUrlText | None = None
    email: StrictStr | None = None
    timezone: StrictStr | None = None


class DiscordUserCreatedPublic(BaseModel):
    message: str
    user: DiscordUserPublic


# Badges and embeds (issue 14)


class ShieldsEndpointPublic(BaseModel):
    """The shields.io endpoint format: https://shields.io/badges/endpoint-badge."""

    schemaVersion: Literal[1]
    label: str
    message: str
    color: str
    cacheSeconds: int


# Live presence and session history (issue 16)


class PresenceHeartbeatCreate(BaseModel):
    """A heartbeat of a coding client, every 30 to 60 seconds while someone codes; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    userId: UserIdText
    language: StrictStr | None = Field(default=None, min_length=1, max_length=64)
    editor: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    project: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    sessionId: StrictStr | None = Field(default=None, min_length=1, max_length=128)
    at: datetime | None = None


class PresenceRecordedPublic(BaseModel):
    userId: str
    at: datetime
    liveUntil: datetime


class LiveQuery(BaseModel):
    """Without ``board``: the ``limit`` latest of those coding now; with it: that board's top ``limit``."""

    board: Timeframe | None = None
    limit: int = Field(default=50, ge=1, le=100)


class CodingNowPublic(BaseModel):
    userId: str
    username: str
    displayName: str
    language: str | None
    editor: str | None
    since: datetime
    lastSeen: datetime
    todayTime: float


class LivePublic(BaseModel):
    ttlSeconds: int
    timezone: str
    generatedAt: datetime
    count: int
    users: list[CodingNowPublic]


class LiveBoardEntryPublic(BaseModel):
    userId: str
    username: str
    displayName: str
    rank: int
    totalTime: float
    creditedTime: float
    rankDelta: int
    previousRank: int | None
    live: bool
    language: str | None


class LiveBoardPublic(BaseModel):
    timeframe: str
    periodKey: str
    start: datetime | None
    end: datetime | None
    timezone: str
    ttlSeconds: int
    generatedAt: datetime
    entries: list[LiveBoardEntryPublic]


class SessionHistoryQuery(BaseModel):
    """``from`` and ``to`` bound when the sessions ended; defaults and range limits: tracking.domain.sessions."""

    from_: datetime | None = Field(default=None, validation_alias="from")
    to: datetime | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, min_length=1, max_length=200)


class SessionHistoryItemPublic(BaseModel):
    sessionId: str
    startTime: datetime
    endTime: datetime
    duration: float
    languages: dict[str, float]
    projectName: str | None
    editor: str | None


class SessionHistoryPublic(BaseModel):
    userId: str
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    sessions: list[SessionHistoryItemPublic]
    nextCursor: str | None


# Webhooks (issue 15)

WebhookEvents = Annotated[list[webhooks.EventType], Field(min_length=1, max_length=len(webhooks.EVENT_TYPES))]
WebhookUrlText = Annotated[StrictStr, Field(min_length=1, max_length=profiles.URL_MAX_LENGTH)]
WebhookScheduleText = Annotated[StrictStr, AfterValidator(webhooks.check_schedule)]
TimezoneText = Annotated[StrictStr, AfterValidator(profiles.check_timezone)]
WebhookTop = Annotated[int, Field(ge=1, le=webhooks.MAX_TOP, strict=True)]
DescriptionText = Annotated[StrictStr, Field(max_length=500)]


class WebhookCreate(BaseModel):
    """POST /api/webhooks. The target is checked further by the service (https, public addresses, Discord's shape)."""

    model_config = ConfigDict(extra="forbid")

    url: WebhookUrlText
    events: WebhookEvents
    format: webhooks.WebhookFormat = "standard"
    board: webhooks.WebhookBoard = webhooks.DEFAULT_BOARD
    top: WebhookTop = webhooks.DEFAULT_TOP
    schedule: WebhookScheduleText | None = None
    timezone: TimezoneText = "UTC"
    description: DescriptionText | None = None


class WebhookUpdate(BaseModel):
    """PUT /api/webhooks/{id}: the fields given change; ``enabled: true`` turns a disabled subscription back on."""

    model_config = ConfigDict(extra="forbid")

    url: WebhookUrlText | None = None
    events: WebhookEvents | None = None
    format: webhooks.WebhookFormat | None = None
    board: webhooks.WebhookBoard | None = None
    top: WebhookTop | None = None
    schedule: WebhookScheduleText | None = None
    timezone: TimezoneText | None = None
    description: DescriptionText | None = None
    enabled: StrictBool | None = None

    @model_validator(mode="after")
    def _only_optional_fields_clear(self) -> WebhookUpdate:
        # null clears a schedule or a description; every other field always has a value.
        cleared = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if set(cleared) - {"schedule", "description"}:
            raise ValueError(f"{', '.join(cleared)} cannot be null")
        return self


class WebhookPublic(BaseModel):
    """A subscription as shown: never its secret."""

    id: str
    url: str
    events: list[str]
    format: str
    board: str
    top: int
    schedule: str | None
    timezone: str
    description: str | None
    enabled: bool
    disabledReason: str | None
    createdAt: datetime
    updatedAt: datetime


class WebhookIssued(WebhookPublic):
    """The answers that show the signing secret: creating a subscription, rotating its secret."""

    secret: str


class WebhooksPublic(BaseModel):
    data: list[WebhookPublic]
    count: int


class WebhookAttemptsQuery(BaseModel):
    status: webhooks.AttemptStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)


class WebhookAttemptPublic(BaseModel):
    """One attempt of the delivery log."""

    deliveryId: str
    eventId: str
    eventType: str
    attempt: int
    attemptedAt: datetime
    status: str
    statusCode: int | None
    latencyMs: float | None
    error: str | None
    response: str | None


class WebhookAttemptsPublic(BaseModel):
    data: list[WebhookAttemptPublic]
    count: int


class WebhookDeliveryPublic(BaseModel):
    id: str
    subscriptionId: str
    eventId: str
    eventType: str
    status: str
    attempts: int
    nextAttemptAt: datetime | None


class WebhookPingPublic(BaseModel):
    """A ping the receiver accepted: its status, how long it took, the start of its answer."""

    delivery: WebhookDeliveryPublic
    statusCode: int
    latencyMs: float
    response: str | None
