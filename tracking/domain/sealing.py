"""Secrets the server must read back (a pending extension key, a webhook signing secret), sealed at rest.

AES-256-GCM from ``cryptography``: the key is derived (HKDF-SHA256) from the server's secret setting, and
the sealed value is bound to its context (what it belongs to: a link code, a subscription id) as
associated data. A copy of the database alone opens nothing, a value moved to another context does not
open, and a tampered one is refused (``SealBroken``) instead of decoding to garbage.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


class SealBroken(ValueError):
    """The sealed value does not open with this context and server secret: tampered, moved, or another secret."""


def _cipher(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"distrack-seal").derive(secret.encode("utf-8"))
    return AESGCM(key)


def seal(value: str, context: str, secret: str) -> tuple[bytes, bytes]:
    """``(nonce, sealed)``: ``value`` readable only with the same ``context`` and server ``secret``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, _cipher(secret).encrypt(nonce, value.encode("utf-8"), context.encode("utf-8"))


def unseal(sealed: bytes, context: str, nonce: bytes, secret: str) -> str:
    try:
        return _cipher(secret).decrypt(nonce, sealed, context.encode("utf-8")).decode("utf-8")
    except (InvalidTag, ValueError) as error:
        raise SealBroken("The sealed value does not open") from error
