"""What each HTTP route takes and answers, declared once on its ``endpoint`` and read by the OpenAPI document.

``answers`` map each success status to what its body holds: a pydantic model, any type pydantic can
describe (``list[Model]``, ``dict[str, Any]``), a ``Media`` for a body that is not JSON, or None for no
body (a redirect); ``body`` is described the same way. Every error has the one shape of
``tracking.api.http.error_response``; the document derives the errors a route's kind can answer
(400, 401, 403, 404, 413, 503), and ``errors`` names the others its use case answers.
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
    # Error statuses the use case answers beyond those every route of its kind can (409, 429, ...).
    errors: tuple[int, ...] = ()


def contract_of(function: Any) -> Contract | None:
    """The contract an ``endpoint`` declared for ``function``, None for a function that declared none."""
    found = getattr(function, "contract", None)
    return found if isinstance(found, Contract) else None
