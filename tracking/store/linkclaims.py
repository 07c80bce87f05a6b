"""The ``linkclaims`` collection: who used a link code, and who picked its key up, exactly once.

One document per (step, code): ``_id`` ``"<link|pickup>|<codeHash>"`` and ``expiresAt`` (the code's). The
link flow inserts it before it acts: an insert under a unique key lets exactly one of any number of
concurrent callers through, on MongoDB and on the development database alike, where an update of the
code's own document (``usedAt``) is not atomic. Expired claims are deleted as new ones are made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "linkclaims"

Step = Literal["link", "pickup"]


def claim_by_hash(db: Database[Any], *, step: Step, code_hash: str, expires_at: datetime, now: datetime) -> bool:
    """True for the one caller that takes this step of this code; False for every other."""
    db[COLLECTION].delete_many({"expiresAt": {"$lte": now}})
    try:
        db[COLLECTION].insert_one({"_id": f"{step}|{code_hash}", "expiresAt": expires_at})
    except DuplicateKeyError:
        return False
    return True
