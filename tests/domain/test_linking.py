"""Link rules: the alphabet, sealing the issued key, the client address, refusals; rate-limit windows."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tracking.domain.linking import (
    ALPHABET,
    CODE_PATTERN,
    LinkRefusal,
    UnknownClient,
    can_name_pending_key,
    can_pick_up,
    client_address,
    code_expiry,
    hash_link_code,
    new_link_code,
    refusal_of_unconsumed,
)
from tracking.domain.ratelimits import window_start


def test_codes_match_the_extension_and_have_no_look_alikes() -> None:
    codes = {new_link_code() for _ in range(200)}
    assert len(codes) > 190
    assert all(CODE_PATTERN.match(code) for code in codes)
    assert not set("01OIL") & set("".join(codes)) and not set("01OIL") & set(ALPHABET)


SECRET = "server-side-secret-0123456789abcdefghij"
OTHER_SECRET = "another-server-secret-0123456789abcdefg"


def test_codes_are_stored_as_hashes_keyed_by_the_server() -> None:
    digest = hash_link_code("ABC234", SECRET)
    assert digest != "ABC234" and len(digest) == 64
    # Without the server's key, trying all codes against a copied hash finds nothing.
    assert digest != hash_link_code("ABC234", OTHER_SECRET)
    assert digest != hashlib.sha256(b"linkcode:ABC234").hexdigest()


def test_expiry_is_ten_minutes_at_millisecond_precision() -> None:
    now = datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)
    assert code_expiry(now) == datetime(2026, 11, 23, 10, 10, 0, 123000, tzinfo=UTC)


def test_client_is_the_last_forwarded_address_without_port() -> None:
    assert client_address("1.2.3.4:5678", trusted_hops=1) == "1.2.3.4"
    assert client_address("6.6.6.6, 1.2.3.4:5678", trusted_hops=1) == "1.2.3.4"
    assert client_address("6.6.6.6, 1.2.3.4, 10.0.0.9", trusted_hops=2) == "1.2.3.4"
    # An IPv6 host holds a whole /64: rotating within it does not make a new client.
    assert client_address("[2001:db8::1]:443", trusted_hops=1) == "2001:db8::/64"
    assert client_address("2001:db8::ffff:1", trusted_hops=1) == "2001:db8::/64"


@pytest.mark.parametrize(("header", "hops"), [(None, 1), ("", 1), ("1.2.3.4", 2), ("not-an-address", 1)])
def test_a_request_that_bypassed_the_proxies_has_no_client(header: str | None, hops: int) -> None:
    with pytest.raises(UnknownClient):
        client_address(header, trusted_hops=hops)


def test_windows_are_aligned() -> None:
    now = datetime(2026, 11, 23, 10, 7, 30, tzinfo=UTC)
    assert window_start(now, timedelta(minutes=5)) == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)


def test_an_unconsumed_code_still_stored_was_used_and_anything_else_is_invalid() -> None:
    assert refusal_of_unconsumed(still_stored=True) is LinkRefusal.USED
    assert refusal_of_unconsumed(still_stored=False) is LinkRefusal.INVALID


def test_only_well_formed_pickups_and_the_bound_device_get_the_key() -> None:
    assert can_name_pending_key("dvc-0123", "ABC234")
    assert not can_name_pending_key("no", "ABC234") and not can_name_pending_key("dvc-0123", "abc234")
    assert can_pick_up(bound_device_id=None, device_id="dvc-1") and can_pick_up(
        bound_device_id="dvc-1", device_id="dvc-1"
    )
    assert not can_pick_up(bound_device_id="dvc-2", device_id="dvc-1")
