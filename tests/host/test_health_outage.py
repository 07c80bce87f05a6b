"""Health follows the database: 503 while it is down, 200 again when it is back."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import requests

from tests.utils.hosts import start_host
from tracking.host.devdb import DevDatabase, free_port


def _health_until(host_get: requests.Session, url: str, status: int, timeout_seconds: float) -> requests.Response:
    deadline = time.monotonic() + timeout_seconds
    while True:
        response = host_get.get(url, timeout=10)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_health_turns_503_when_the_database_is_down_and_200_when_it_is_back(tmp_path: Path) -> None:
    database = DevDatabase(tmp_path / "db", free_port()).start()
    host = start_host(mongodb_uri=database.uri, database=f"test_{uuid.uuid4().hex[:8]}", log_dir=tmp_path)
    try:
        database.stop()
        down = _health_until(host.session, host.url("health"), 503, 20)
        assert down.status_code == 503
        body = down.json()
        assert body["status"] == "DEGRADED"
        assert body["database"] == {"status": "down", "latencyMs": None}
        assert down.headers["Retry-After"] == "5"

        database.start()
        up = _health_until(host.session, host.url("health"), 200, 30)
        assert up.status_code == 200
        assert up.json()["database"]["status"] == "up"
    finally:
        host.stop()
        database.stop()
