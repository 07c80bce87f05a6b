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


@dataclass(frozen=True)
class Media:
    """A body that is not JSON, such as ``image/png`` or ``text/html``."""

    media_type: str


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
