"""The local host as an attacker meets it: bounded bodies, JSON for broken HTTP, no versions, no CSRF, clean exits."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from tests.utils.hosts import RunningHost
from tracking.host.devdb import ROOT


def raw_exchange(host: RunningHost, request: bytes) -> bytes:
    address = host.base_url.removeprefix("http://").split("/")[0]
    name, port = address.split(":")
    with socket.create_connection((name, int(port)), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_a_chunked_body_over_the_limit_is_refused_and_the_connection_closed(api: RunningHost) -> None:
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)) + b"0\r\n\r\n"  # 512 KiB
    request = (
        b"POST /api/coding-session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + body
    )
    reply = raw_exchange(api, request)  # returns once the host closes the connection
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b"Connection: close" in head
    assert payload.endswith(b'{"message": "The body is larger than 262144 bytes"}')


def test_broken_http_is_answered_in_json_without_versions(api: RunningHost) -> None:
    # A request line the server cannot read is answered without a status line (as HTTP/0.9), still in JSON.
    assert raw_exchange(api, b"GET /api/health HTTP/1.x\r\n\r\n").startswith(b'{"message": "Bad request version')
    too_many = b"".join(b"X-Header-%d: x\r\n" % index for index in range(150))
    reply = raw_exchange(api, b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n" + too_many + b"\r\n")
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].startswith(b"HTTP/1.1 431")
    assert b"Content-Type: application/json" in head
    assert payload.startswith(b'{"message": ')
    server = [line for line in head.split(b"\r\n") if line.lower().startswith(b"server:")]
    assert server == [b"Server: DisTrack-local-host"]


def test_a_web_page_cannot_fire_a_timer_through_the_host(api: RunningHost) -> None:
    admin = api.base_url.removesuffix("/api") + "/admin/functions/streak_decay"
    refused = api.session.post(admin, headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert (refused.status_code, refused.json()) == (
        403,
        {"message": "Cross-site requests to the host's admin routes are refused"},
    )
    assert api.session.post(admin).status_code == 202  # a tool on this machine (curl, the tests) still can


def test_a_host_that_cannot_bind_its_port_stops_the_database_it_started(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
        result = subprocess.run(
            [sys.executable, "-m", "tracking.host", "--port", str(port), "--no-timers"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert "stopped" in result.stderr
    started = re.search(r"development database .* at mongodb://127\.0\.0\.1:(\d+)/", result.stderr)
    assert started is not None, result.stderr
    with socket.socket() as probe:  # nothing listens where the database was
        assert probe.connect_ex(("127.0.0.1", int(started.group(1)))) != 0
