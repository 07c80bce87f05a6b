"""The local host for tests: a subprocess on a free port with both bootstrap keys (tracking.host.process)."""

from __future__ import annotations

from pathlib import Path

from tracking.host import process
from tracking.host.process import RunningHost

# Every test host gets both bootstrap keys, as ADMIN_API_KEY and SERVICE_API_KEY.
ADMIN_KEY = "admin-bootstrap-key-for-tests-0123456789abcdef"
SERVICE_KEY = "service-bootstrap-key-for-tests-0123456789abcd"

__all__ = ["ADMIN_KEY", "SERVICE_KEY", "RunningHost", "start_host"]


def start_host(
    *, mongodb_uri: str, database: str, log_dir: Path, extra_env: dict[str, str] | None = None, timers: bool = False
) -> RunningHost:
    keys = {"ADMIN_API_KEY": ADMIN_KEY, "SERVICE_API_KEY": SERVICE_KEY}
    return process.start_host(
        mongodb_uri=mongodb_uri,
        database=database,
        log_dir=log_dir,
        extra_env={**keys, **(extra_env or {})},
        timers=timers,
    )
