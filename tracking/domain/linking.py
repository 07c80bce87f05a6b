"""Link codes and the extension link flow: pure rules, no I/O.

A link code is six characters the extension accepts (``^[A-Z0-9]{6}$``) from an alphabet without
look-alikes (no 0/O, 1/I/L), random from the OS generator, valid 10 minutes, single use, stored hashed.

The extension v0.9.10 links in two steps: ``POST /extension/link {linkCode}`` (the key is issued),
then ``GET /extension/key/auth/{deviceId}/{linkCode}`` reads that key once. Between the two steps the
key is held on the code's document sealed (tracking.domain.sealing) with the server's secret and bound to
the code, which is stored only as a keyed hash: the key never rests in the database in clear, and the
seal is removed at pickup.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from datetime import datetime, timedelta
from enum import Enum

from tracking.domain.ratelimits import Limit

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_LIFETIME = timedelta(minutes=10)
CODE_PATTERN = re.compile(r"^[A-Z0-9]{6}$")
# The extension makes "dvc-" + 32 letters and digits; other clients may send any id of this shape.
DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{4,100}$")

# Issuing codes, per user and per calling key (the website backend issues for all its users with one key).
CODES_PER_USER = Limit("link-code-user", 5, timedelta(minutes=5))
CODES_PER_CALLER = Limit("link-code-caller", 100, timedelta(minutes=5))
# Wrong codes per client on the public link and key routes, before a lockout until the window ends.
LINK_ATTEMPTS_PER_CLIENT = Limit("link-attempts", 10, timedelta(minutes=10))
# Wrong codes from all clients together: guesses spread over many addresses stop well before they could hit
# one of the ~887 million codes (31 characters, 6 places) that live for 10 minutes.
LINK_FAILURES_OF_EVERYONE = Limit("link-failures-everyone", 1000, timedelta(minutes=10))


def new_link_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def hash_link_code(code: str, secret: str) -> str:
    """A keyed hash: the ~30 bits of a code are no secret, but without the server's key no hash can be tried."""
    return hmac.new(secret.encode("utf-8"), ("linkcode:" + code).encode("utf-8"), hashlib.sha256).hexdigest()


def code_expiry(now: datetime) -> datetime:
    # BSON dates keep milliseconds: cut the microseconds so the answer equals what is stored.
    return (now + CODE_LIFETIME).replace(microsecond=now.microsecond // 1000 * 1000)


class UnknownClient(ValueError):
    """The request did not come through the trusted proxies: there is no address to count attempts by."""


def client_address(forwarded_for: str | None, *, trusted_hops: int) -> str:
    """The client as the trusted proxies saw it: the entry ``trusted_hops`` from the end of X-Forwarded-For.

    Each trusted proxy appends the address it was connected from (Azure's front end is one), so entries
    before that one are whatever the client sent and cannot dodge a lockout. An IPv6 client counts by its
    /64, which one host holds whole. With fewer entries than trusted proxies the request bypassed them:
    UnknownClient, never a bucket shared by every such request.
    """
    entries = [entry.strip() for entry in (forwarded_for or "").split(",") if entry.strip()]
    if len(entries) < trusted_hops:
        raise UnknownClient(f"X-Forwarded-For has {len(entries)} of the {trusted_hops} entries the proxies add")
    address = entries[-trusted_hops]
    # Azure sends "ip:port" ("[ipv6]:port"); the port changes per connection and must not split the count.
    if address.startswith("[") and "]" in address:
        address = address[1 : address.index("]")]
    elif address.count(":") == 1:
        address = address.split(":")[0]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError as error:
        raise UnknownClient(f"X-Forwarded-For entry {address[:64]!r} is not an address") from error
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class LinkRefusal(Enum):
    """Why a link code was not traded for a key."""

    USED = "used"
    INVALID = "invalid"


def refusal_of_unconsumed(*, still_stored: bool) -> LinkRefusal:
    """A code that could not be consumed but is still stored was used before; otherwise it is unknown or expired."""
    return LinkRefusal.USED if still_stored else LinkRefusal.INVALID


def can_name_pending_key(device_id: str, code: str) -> bool:
    """A malformed device id or code cannot name a pending key: it is refused without a lookup."""
    return bool(DEVICE_ID_PATTERN.fullmatch(device_id) and CODE_PATTERN.fullmatch(code))


def can_pick_up(*, bound_device_id: str | None, device_id: str) -> bool:
    """The key a link issued goes to the device it is bound to, or to the first device to ask."""
    return bound_device_id in (None, device_id)
