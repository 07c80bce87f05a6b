"""The ``oauthstates`` collection: each sign-in state that was used, so that it is used once.

One document per used state: ``_id`` its ``jti`` and ``expiresAt`` (the state's). A callback inserts it
before it exchanges the code: an insert under a unique key lets exactly one of any number of concurrent
callbacks through, on MongoDB and on the development database alike (a find-then-update or ``$inc`` is not
atomic on FerretDB). Expired claims are deleted as new ones are made: an expired state is refused by its
signature's ``exp`` anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

from tracking.store.client import insert_new

COLLECTION = "oauthstates"


def claim_by_id(db: Database[Any], state_id: str, *, expires_at: datetime, now: datetime) -> bool:
    """True for the one caller that uses this state; False for every other."""
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})
    [claimed] = insert_new(db[COLLECTION], [{"_id": state_id, "expiresAt": expires_at}])
    return claimed
