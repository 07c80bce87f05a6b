"""The profiles service: the private view, a visibility change relisting the user, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from tests.utils.factories import USER_A, USER_B, create_user
from tracking import config
from tracking.domain.access import ANONYMOUS, Caller
from tracking.domain.sessions import NewSession
from tracking.errors import NotFound
from tracking.services import ingest, profiles


def _code(db: Database[dict[str, Any]], user_id: str) -> None:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    session = NewSession("s1", user_id, None, end - timedelta(minutes=10), end, {}, None, None)
    ingest.record_sessions(db, batch=[session], now=datetime.now(UTC), settings=config.settings())


def test_a_private_profile_reads_as_private_to_others(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada", isPublic=False)
    hidden = profiles.read_profile(db, user_id=USER_A, caller=ANONYMOUS)
    assert (hidden.user_id, hidden.visible) == (USER_A, False)
    own = profiles.read_profile(db, user_id=USER_A, caller=Caller(scope="ingest", user_id=USER_A))
    assert own.visible and own.user.username == "ada"
    with pytest.raises(NotFound):
        profiles.read_profile(db, user_id=USER_B, caller=ANONYMOUS)


def test_going_private_takes_the_user_off_the_boards(db: Database[dict[str, Any]]) -> None:
    _code(db, USER_A)
    assert db.boards.count_documents({"userId": USER_A}) > 0
    now = datetime.now(UTC)
    user = profiles.update_profile(db, user_id=USER_A, changes={"isPublic": False}, now=now, settings=config.settings())
    assert user.is_public is False
    assert db.boards.count_documents({"userId": USER_A}) == 0
    profiles.update_profile(db, user_id=USER_A, changes={"bio": "hi"}, now=now, settings=config.settings())
    assert db.boards.count_documents({"userId": USER_A}) == 0
    with pytest.raises(NotFound):
        profiles.update_profile(db, user_id=USER_B, changes={}, now=now, settings=config.settings())


def test_search_leaves_private_users_out(db: Database[dict[str, Any]]) -> None:
    create_user(db, USER_A, "ada")
    create_user(db, USER_B, "adam", isPublic=False)
    assert [user.user_id for user in profiles.search_users(db, text="AD", limit=10)] == [USER_A]
