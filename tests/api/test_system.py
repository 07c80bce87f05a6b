"""Health, the index and the JSON error shape, over real HTTP against the local host."""

from __future__ import annotations

from datetime import datetime

from tests.utils.hosts import RunningHost


def test_health_reports_the_database_up(api: RunningHost) -> None:
    response = api.get("health")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"status", "timestamp", "uptime", "database"}
    assert body["status"] == "OK"
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    assert body["uptime"] > 0
    assert body["database"]["status"] == "up"
    assert body["database"]["latencyMs"] >= 0


def test_index_names_the_api(api: RunningHost) -> None:
    response = api.get("")
    assert response.status_code == 200
    assert response.json() == {
        "name": "DisTrack Functions",
        "version": "0.1.0",
        "docs": "https://github.com/distrack/distrack-functions/blob/main/docs/api.md",
        "health": "/api/health",
    }


def test_unknown_route_is_json_404(api: RunningHost) -> None:
    response = api.get("no/such/route")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"message": "No route /api/no/such/route"}


def test_wrong_method_is_json_405_with_allow(api: RunningHost) -> None:
    response = api.delete("health")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json() == {"message": "Method DELETE is not allowed on /api/health; allowed: GET"}


def test_oversized_body_is_json_413(api: RunningHost) -> None:
    response = api.post("health", data=b"x" * 300_000)
    assert response.status_code == 413
    assert response.json() == {"message": "The body is larger than 262144 bytes"}


def test_path_outside_the_prefix_is_json_404(api: RunningHost) -> None:
    response = api.session.get(api.base_url.removesuffix("/api") + "/favicon.ico", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "No route /favicon.ico"}


def test_every_request_is_logged_with_method_path_status_and_milliseconds(api: RunningHost) -> None:
    api.get("no/such/route")
    assert any("GET /api/no/such/route 404 " in line and line.endswith("ms") for line in api.log().splitlines()), (
        api.log()
    )
