"""Pydantic request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


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
