"""Sending one webhook request to a safe target: the outbound HTTP of the webhooks, and nothing else.

The host is resolved here and every address it resolves to must be public (tracking.domain.webhooks,
checked again at each send, so a name that later resolves to a private address, DNS rebinding, is
refused); the connection then goes to the address that was checked, with the name kept for TLS and
``Host``. Redirects are not followed (a 3xx is a failure), each socket operation times out after
5 seconds, and at most 4 KiB of the answer is read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from tracking.domain.webhooks import (
    RESPONSE_EXCERPT_BYTES,
    SEND_TIMEOUT_SECONDS,
    excerpt,
    is_insecure_loopback,
    refused_address,
)


@dataclass(frozen=True)
class Reply:
    """What came of one request: the receiver's status, or why there was none."""

    status_code: int | None
    latency_ms: float
    response: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to by then."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class Refused(Exception):
    """The target may not be sent to (its address is not public)."""


def resolve_public(url: str, *, allow_insecure_loopback: bool) -> str:
    """The address to connect to for ``url``; raises Refused when the host resolves to a non-public address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if allow_insecure_loopback and is_insecure_loopback(url):
        return host
    port = parts.port or 443
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"{host} does not resolve: {error}") from error
    addresses = [str(info[4][0]) for info in found]
    for address in addresses:
        reason = refused_address(address)
        if reason is not None:
            raise Refused(f"{host} {reason}")
    if not addresses:
        raise Refused(f"{host} does not resolve")
    return addresses[0]


def post(url: str, *, body: bytes, headers: dict[str, str], allow_insecure_loopback: bool) -> Reply:
    """POST ``body`` to ``url``; never raises for the receiver's failures, which the reply describes."""
    started = time.perf_counter()

    def elapsed() -> float:
        return round((time.perf_counter() - started) * 1000, 1)

    try:
        address = resolve_public(url, allow_insecure_loopback=allow_insecure_loopback)
    except Refused as refused:
        return Reply(None, elapsed(), None, f"Refused: {refused}")
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    connection_type = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
    connection = connection_type(parts.hostname or "", port, address=address, timeout=SEND_TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json"})
        answer = connection.getresponse()
        text = excerpt(answer.read(RESPONSE_EXCERPT_BYTES))
        status = answer.status
    except TimeoutError:
        return Reply(None, elapsed(), None, f"Timed out after {SEND_TIMEOUT_SECONDS:g} s")
    except (OSError, http.client.HTTPException) as error:
        return Reply(None, elapsed(), None, f"{type(error).__name__}: {error}")
    finally:
        connection.close()
    if 300 <= status < 400:
        return Reply(status, elapsed(), text, f"The receiver answered {status}, a redirect, which is not followed")
    if not 200 <= status < 300:
        return Reply(status, elapsed(), text, f"The receiver answered {status}")
    return Reply(status, elapsed(), text, None)
