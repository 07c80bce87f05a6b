"""A fake Discord on 127.0.0.1 for tests: the OAuth2 token endpoint, ``/users/@me`` and CDN avatars.

It answers as Discord does: a code is good once, for the client it was made for; a bad one is
``400 {"error": "invalid_grant"}``; ``/users/@me`` needs the access token the exchange gave. ``outage``
makes every route answer 503. What it was sent is kept in ``token_requests`` and ``avatar_requests``.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from tracking.host.process import RunningHost

CLIENT_ID = "123456789012345678"
CLIENT_SECRET = "fake-discord-client-secret"
# What a test host signing in against the fake is configured with (discord_env).
CALLBACK = "https://api.distrack.test/api/auth/discord/callback"
WEBSITE = "https://distrack.test"
WEBSITE_CALLBACK = "https://distrack.test/auth/callback"
JWT_SECRET = "website-jwt-secret-for-tests-0123456789abcdef"


def avatar_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (128, 128), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class FakeDiscord:
    base_url: str = ""
    outage: bool = False
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    avatar_requests: list[str] = field(default_factory=list)

    def add_code(self, code: str, user: dict[str, Any]) -> str:
        """A code Discord would give the browser for ``user`` (its ``/users/@me`` answer)."""
        self.codes[code] = user
        return code

    def reset(self) -> None:
        self.outage = False
        self.codes.clear()
        self.tokens.clear()
        self.token_requests.clear()
        self.avatar_requests.clear()


def _handler(fake: FakeDiscord) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, body: Any) -> None:
            self._answer(status, json.dumps(body).encode())

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {name: values[0] for name, values in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path != "/oauth2/token":
                return self._json(404, {"message": "404: Not Found"})
            fake.token_requests.append(form)
            if fake.outage:
                return self._answer(503, b"upstream connect error", "text/plain")
            user = fake.codes.pop(form.get("code", ""), None)
            good_client = (form.get("client_id"), form.get("client_secret")) == (CLIENT_ID, CLIENT_SECRET)
            if user is None or not good_client or form.get("grant_type") != "authorization_code":
                return self._json(400, {"error": "invalid_grant", "error_description": 'Invalid "code" in request.'})
            token = f"access-{form['code']}"
            fake.tokens[token] = user
            self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 604800, "scope": "identify"})

        def do_GET(self) -> None:
            if fake.outage:
                return self._answer(503, b"upstream connect error", "text/plain")
            if self.path == "/users/@me":
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                user = fake.tokens.get(token)
                if user is None:
                    return self._json(401, {"message": "401: Unauthorized", "code": 0})
                return self._json(200, user)
            if self.path.startswith("/avatars/"):
                fake.avatar_requests.append(self.path)
                return self._answer(200, avatar_png(), "image/png")
            self._json(404, {"message": "404: Not Found"})

    return Handler


@contextmanager
def running_fake_discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def discord_env(fake: FakeDiscord) -> dict[str, str]:
    """The settings of a test host that signs in against ``fake`` and fetches avatars from it."""
    return {
        "DISCORD_CLIENT_ID": CLIENT_ID,
        "DISCORD_CLIENT_SECRET": CLIENT_SECRET,
        "DISCORD_API_BASE": fake.base_url,
        "DISCORD_CDN_URL": fake.base_url,
        "DISCORD_REDIRECT_URI": CALLBACK,
        "AUTH_REDIRECT_URIS": WEBSITE_CALLBACK,
        "WEBSITE_URL": WEBSITE,
        "WEBSITE_JWT_SECRET": JWT_SECRET,
    }


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def sign_in(host: RunningHost, fake: FakeDiscord, user: dict[str, Any], code: str = "code") -> str:
    """A whole browser sign-in of ``user`` (a ``/users/@me`` answer) on ``host``; the session token it ends with."""
    started = host.get("auth/discord", allow_redirects=False)
    assert started.status_code == 302, started.text
    fake.add_code(code, user)
    state = query_of(started.headers["Location"])["state"]
    done = host.get("auth/discord/callback", params={"code": code, "state": state}, allow_redirects=False)
    assert done.status_code == 302 and "/auth/distrack?" in done.headers["Location"], done.headers.get("Location")
    return query_of(done.headers["Location"])["token"]
