"""Pydantic request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat


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

    userId: str = Field(pattern=r"^[0-9]{15,32}$")  # a Discord snowflake, as the extension requires
    username: str | None = Field(default=None, max_length=100)
    duration: StrictFloat | None = None
    sessionDate: datetime | None = None
    startTime: datetime | None = None
    endTime: datetime | None = None
    languages: dict[str, StrictFloat] = Field(default_factory=dict)
    sessionId: str | None = Field(default=None, min_length=1, max_length=128)
    projectName: str | None = Field(default=None, max_length=200)
    editor: str | None = Field(default=None, max_length=100)
    streakData: Any = None


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
