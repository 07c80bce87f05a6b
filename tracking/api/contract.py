"""What each HTTP route takes and answers, declared once on its ``endpoint`` and read by the OpenAPI document.

``answers`` map each success status to what its body holds: a pydantic model, any type pydantic can
describe (``list[Model]``, ``dict[str, Any]``), a ``Media`` for a body that is not JSON, or None for no
body (a redirect); ``body`` is described the same way. Error statuses need no declaration: every error
has the one shape of ``tracking.api.http.error_response``, and the document derives which errors a
route can answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from tracking.api.auth import Access


class Media:
    """A body that is not JSON, of one of ``media_types`` such as ``image/png`` or ``text/html``."""

    def __init__(self, *media_types: str):
        self.media_types = media_types

    def __repr__(self) -> str:
        return f"Media{self.media_types!r}"


@dataclass(frozen=True)
class Contract:
    auth: Access
    answers: Mapping[int, Any] = field(default_factory=dict)
    body: Any = None
    query: type[BaseModel] | None = None


def contract_of(function: Any) -> Contract | None:
    """The contract an ``endpoint`` declared for ``function``, None for a function that declared none."""
    found = getattr(function, "contract", None)
    return found if isinstance(found, Contract) else None
