"""Errors that carry an HTTP status; one helper in tracking.api.http turns them into JSON."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 500

    def __init__(self, message: str, *, errors: list[Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}


class BadRequest(AppError):
    status = 400


class Unauthorized(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class UserNotFound(NotFound):
    """The one answer for a user who does not exist, or whom the caller may not see."""

    def __init__(self) -> None:
        super().__init__("User not found")


class MethodNotAllowed(AppError):
    status = 405


class Conflict(AppError):
    status = 409


class PayloadTooLarge(AppError):
    status = 413


class TooManyRequests(AppError):
    """A rate limit or lockout; carries ``Retry-After``."""

    status = 429


class BadGateway(AppError):
    """An upstream (a webhook receiver) answered, but not with success."""

    status = 502


class ServiceUnavailable(AppError):
    status = 503
