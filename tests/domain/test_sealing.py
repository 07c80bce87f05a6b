"""A sealed secret opens only with its context and the server's secret, and a tampered one is refused."""

from __future__ import annotations

import pytest

from tracking.domain.sealing import SealBroken, seal, unseal

SECRET = "server-secret-for-tests-0123456789abcdef"
OTHER_SECRET = "another-server-secret-0123456789abcdefg"


def test_a_sealed_value_opens_with_its_context_and_the_servers_secret() -> None:
    nonce, sealed = seal("dtk_secret-key", "ABC234", SECRET)
    assert b"secret" not in sealed
    assert unseal(sealed, "ABC234", nonce, SECRET) == "dtk_secret-key"


@pytest.mark.parametrize(
    ("context", "secret", "flip"),
    [("ABC235", SECRET, False), ("ABC234", OTHER_SECRET, False), ("ABC234", SECRET, True)],
    ids=["another context", "another server secret", "one bit flipped"],
)
def test_a_sealed_value_does_not_open_moved_under_another_secret_or_tampered(
    context: str, secret: str, flip: bool
) -> None:
    nonce, sealed = seal("dtk_secret-key", "ABC234", SECRET)
    if flip:
        sealed = bytes([sealed[0] ^ 1]) + sealed[1:]
    with pytest.raises(SealBroken):
        unseal(sealed, context, nonce, secret)


def test_each_seal_has_its_own_nonce() -> None:
    first, second = seal("same", "ABC234", SECRET), seal("same", "ABC234", SECRET)
    assert first[0] != second[0] and first[1] != second[1]
