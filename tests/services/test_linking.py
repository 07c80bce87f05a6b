"""The link flow as a service: codes per user and per caller, the link, the one key pickup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.factories import USER_A, USER_B, create_user
from tracking.domain import linking as rules
from tracking.domain.ratelimits import Limit
from tracking.errors import Conflict, NotFound, TooManyRequests
from tracking.services.linking import INVALID_CODE, issue_link_code, link_extension, pickup_key
from tracking.store import apikeys

NOW = datetime(2026, 11, 23, 10, 1, 0, tzinfo=UTC)
DEVICE = "dvc-0123456789abcdef"


def test_link_codes_are_limited_per_caller(db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "CODES_PER_CALLER", Limit("link-code-caller", 1, timedelta(minutes=5)))
    create_user(db, USER_A, "ada")
    create_user(db, USER_B, "grace")
    issue_link_code(db, user_id=USER_A, caller_key_id="website", now=NOW)
    with pytest.raises(TooManyRequests) as refused:
        issue_link_code(db, user_id=USER_B, caller_key_id="website", now=NOW)
    assert (refused.value.message, refused.value.headers) == ("Rate limit exceeded for caller", {"Retry-After": "240"})
    assert db.linkcodes.count_documents({"userId": USER_B}) == 0
    issue_link_code(db, user_id=USER_B, caller_key_id="bot", now=NOW)


def test_a_code_links_once_and_its_key_is_picked_up_once(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    issued = issue_link_code(db, user_id=USER_A, caller_key_id="bot", now=NOW)
    link = link_extension(db, code=issued.code, device_id=None, client="1.2.3.4", now=NOW)
    assert (link.user.user_id, link.user.extension_linked) == (USER_A, True)
    with pytest.raises(Conflict):
        link_extension(db, code=issued.code, device_id=None, client="1.2.3.4", now=NOW)
    assert pickup_key(db, device_id=DEVICE, code=issued.code, client="1.2.3.4", now=NOW) == link.key
    with pytest.raises(NotFound) as again:
        pickup_key(db, device_id=DEVICE, code=issued.code, client="1.2.3.4", now=NOW)
    assert again.value.message == INVALID_CODE
    [record] = apikeys.find_keys(db, user_id=USER_A, scope="ingest", include_revoked=False)
    assert (record.label, record.device_id) == ("extension", DEVICE)


def test_a_key_bound_to_one_device_is_not_given_to_another(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    issued = issue_link_code(db, user_id=USER_A, caller_key_id="bot", now=NOW)
    link_extension(db, code=issued.code, device_id=DEVICE, client="1.2.3.4", now=NOW)
    with pytest.raises(NotFound):
        pickup_key(db, device_id="dvc-other-device", code=issued.code, client="1.2.3.4", now=NOW)
    assert db.ratelimits.find_one({"_id": {"$regex": "^link-failures:1.2.3.4:"}})["count"] == 1  # type: ignore[index]


def test_a_malformed_pickup_is_refused_without_counting(db: Database[dict[str, Any]]) -> None:
    with pytest.raises(NotFound):
        pickup_key(db, device_id="no", code="ABC234", client="1.2.3.4", now=NOW)
    assert db.ratelimits.count_documents({}) == 0
