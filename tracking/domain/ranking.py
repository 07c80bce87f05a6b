"""Who is on a board and in what order: pure rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_listed(user: Mapping[str, Any] | None) -> bool:
    """Private (``isPublic: false``) and archived users are left off boards and search."""
    return user is not None and user.get("isPublic", True) is not False and not user.get("archived", False)


def rank_delta(rank: int, previous_rank: int | None) -> int:
    """Positive when the user moved up since the previous snapshot; 0 when they were not in it."""
    return 0 if previous_rank is None else previous_rank - rank


def sort_key(total: float, user_id: str) -> tuple[float, str]:
    """Total descending, then userId ascending: the one order of every board."""
    return (-total, user_id)
