"""The outbound HTTP to Discord, and nothing else: its OAuth2 (authlib's requests client) and avatars from its CDN.

Every call has a short timeout, follows no redirect and reads a bounded body. ``DISCORD_API_BASE``
(default ``https://discord.com/api``) serves ``/oauth2/authorize``, where browsers are sent, and
``/oauth2/token`` and ``/users/@me``, which this server calls; tests point it at a fake on loopback.
Discord's access token lives only inside ``fetch_user``: it is never returned, logged or stored.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

TIMEOUT_SECONDS = 5
AVATAR_TIMEOUT_SECONDS = 2
MAX_AVATAR_BYTES = 1_048_576


class DiscordUnavailable(Exception):
    """Discord could not be reached, timed out, or answered 429 or 5xx: try again later."""


class DiscordRefused(Exception):
    """Discord refused the exchange (a bad, used or expired code, a wrong secret or redirect) or answered garbage."""


def _client(*, client_id: str, client_secret: str | None, redirect_uri: str, scopes: tuple[str, ...]) -> OAuth2Session:
    session = OAuth2Session(
        client_id,
        client_secret,
        token_endpoint_auth_method="client_secret_post",
        scope=" ".join(scopes),
        redirect_uri=redirect_uri,
        default_timeout=TIMEOUT_SECONDS,
    )
    session.trust_env = False  # no proxy or netrc from the environment
    return session


def authorize_url(*, api_base: str, client_id: str, redirect_uri: str, scopes: tuple[str, ...], state: str) -> str:
    with _client(client_id=client_id, client_secret=None, redirect_uri=redirect_uri, scopes=scopes) as client:
        url, _ = client.create_authorization_url(f"{api_base}/oauth2/authorize", state=state)
    return str(url)


def _unavailable(status: int) -> bool:
    return status == 429 or status >= 500


def fetch_user(
    *, api_base: str, client_id: str, client_secret: str, redirect_uri: str, scopes: tuple[str, ...], code: str
) -> Any:
    """Trade ``code`` for an access token, then read ``/users/@me`` with it; the JSON of the user."""
    with _client(client_id=client_id, client_secret=client_secret, redirect_uri=redirect_uri, scopes=scopes) as client:
        try:
            client.fetch_token(
                f"{api_base}/oauth2/token", grant_type="authorization_code", code=code, allow_redirects=False
            )
            response = client.get(f"{api_base}/users/@me", allow_redirects=False)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 503
            raise (DiscordUnavailable if _unavailable(status) else DiscordRefused)(
                f"token endpoint {status}"
            ) from error
        except requests.RequestException as error:
            raise DiscordUnavailable(type(error).__name__) from error
        except (OAuthError, ValueError, KeyError) as error:
            # An OAuth error answer (invalid_grant, ...), a token answer without a usable token, or no JSON.
            raise DiscordRefused(type(error).__name__) from error
        if _unavailable(response.status_code):
            raise DiscordUnavailable(f"/users/@me {response.status_code}")
        if response.status_code != 200:
            raise DiscordRefused(f"/users/@me {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise DiscordRefused("/users/@me is not JSON") from error


def fetch_avatar(url: str, *, cdn_url: str) -> bytes | None:
    """The image at ``url`` if it is on Discord's CDN and answers in time; None otherwise (nothing else is fetched)."""
    if not url.startswith(f"{cdn_url}/"):
        return None
    session = requests.Session()
    session.trust_env = False
    try:
        with session, session.get(url, timeout=AVATAR_TIMEOUT_SECONDS, allow_redirects=False, stream=True) as response:
            if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("image/"):
                return None
            body = b""
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > MAX_AVATAR_BYTES:
                    return None
    except requests.RequestException:
        return None
    return body
