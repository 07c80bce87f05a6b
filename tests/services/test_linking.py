"""The link flow as a service: codes per user and per caller, the link, the one key pickup."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.conftest import TEST_LINK_SECRET
from tests.utils.factories import USER_A, USER_B, create_user
from tracking.domain import linking as rules
from tracking.domain.ratelimits import Limit
from tracking.errors import Conflict, NotFound, TooManyRequests
from tracking.services.linking import INVALID_CODE, issue_link_code, link_extension, pickup_key
from tracking.store import apikeys

NOW = datetime(2026, 11, 23, 10, 1, 0, tzinfo=UTC)
DEVICE = "dvc-0123456789abcdef"
SECRET = TEST_LINK_SECRET


def test_link_codes_are_limited_per_caller(db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "CODES_PER_CALLER", Limit("link-code-caller", 1, timedelta(minutes=5)))
    create_user(db, USER_A, "ada")
    create_user(db, USER_B, "grace")
    issue_link_code(db, user_id=USER_A, caller_key_id="website", secret=SECRET, now=NOW)
    with pytest.raises(TooManyRequests) as refused:
        issue_link_code(db, user_id=USER_B, caller_key_id="website", secret=SECRET, now=NOW)
    assert (refused.value.message, refused.value.headers) == ("Rate limit exceeded for caller", {"Retry-After": "240"})
    assert db.linkcodes.count_documents({"userId": USER_B}) == 0
    issue_link_code(db, user_id=USER_B, caller_key_id="bot", secret=SECRET, now=NOW)


def test_a_code_links_once_and_its_key_is_picked_up_once(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    issued = issue_link_code(db, user_id=USER_A, caller_key_id="bot", secret=SECRET, now=NOW)
    link = link_extension(db, code=issued.code, device_id=None, client="1.2.3.4", secret=SECRET, now=NOW)
    assert (link.user.user_id, link.user.extension_linked) == (USER_A, True)
    with pytest.raises(Conflict):
        link_extension(db, code=issued.code, device_id=None, client="1.2.3.4", secret=SECRET, now=NOW)
    assert pickup_key(db, device_id=DEVICE, code=issued.code, client="1.2.3.4", secret=SECRET, now=NOW) == link.key
    with pytest.raises(NotFound) as again:
        pickup_key(db, device_id=DEVICE, code=issued.code, client="1.2.3.4", secret=SECRET, now=NOW)
    assert again.value.message == INVALID_CODE
    [record] = apikeys.find_keys(db, user_id=USER_A, scope="ingest", include_revoked=False)
    assert (record.label, record.device_id) == ("extension", DEVICE)


def test_a_key_bound_to_one_device_is_not_given_to_another(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    issued = issue_link_code(db, user_id=USER_A, caller_key_id="bot", secret=SECRET, now=NOW)
    link_extension(db, code=issued.code, device_id=DEVICE, client="1.2.3.4", secret=SECRET, now=NOW)
    with pytest.raises(NotFound):
        pickup_key(db, device_id="dvc-other-device", code=issued.code, client="1.2.3.4", secret=SECRET, now=NOW)
    # Both attempts of the client counted, and the wrong one toward everyone's budget of wrong codes too.
    assert db.ratelimits.count_documents({"subject": "1.2.3.4"}) == 2
    assert db.ratelimits.count_documents({"subject": "everyone"}) == 1


def test_a_malformed_pickup_is_refused_without_counting(db: Database[dict[str, Any]]) -> None:
    with pytest.raises(NotFound):
        pickup_key(db, device_id="no", code="ABC234", client="1.2.3.4", secret=SECRET, now=NOW)
    assert db.ratelimits.count_documents({}) == 0


def test_a_code_links_once_and_its_key_is_picked_up_once_however_many_race(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    issued = issue_link_code(db, user_id=USER_A, caller_key_id="bot", secret=SECRET, now=NOW)

    def link(index: int) -> str | None:
        try:
            return link_extension(
                db, code=issued.code, device_id=None, client=f"10.0.0.{index}", secret=SECRET, now=NOW
            ).key
        except (Conflict, NotFound):
            return None

    def pickup(index: int) -> str | None:
        try:
            return pickup_key(
                db,
                device_id=f"dvc-device-{index:02d}",
                code=issued.code,
                client=f"10.1.0.{index}",
                secret=SECRET,
                now=NOW,
            )
        except NotFound:
            return None

    with ThreadPoolExecutor(max_workers=16) as pool:
        keys = [key for key in pool.map(link, range(40)) if key]
        picked = [key for key in pool.map(pickup, range(30)) if key]
    assert len(keys) == 1
    assert db.apikeys.count_documents({"scope": "ingest"}) == 1
    assert picked == keys  # one device got the key, and only one
    assert db.apikeys.find_one({"scope": "ingest"})["deviceId"].startswith("dvc-device-")  # type: ignore[index]
