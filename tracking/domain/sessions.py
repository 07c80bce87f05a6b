"""A coding session as an interval: where it starts and ends, whether it is plausible, its id.

The extension sends ``sessionDate`` = the moment the session ended and ``duration`` in seconds, so
the session is ``[sessionDate - duration, sessionDate]``; clients may send ``startTime`` and
``endTime`` instead. Every problem is reported at once, as ``{"field", "message"}`` items.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tracking.domain.intervals import Span
from tracking.domain.languages import MAX_LANGUAGE_LENGTH, normalise_languages
from tracking.domain.profiles import is_real_username
from tracking.errors import BadRequest

MAX_FUTURE = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=24)
MAX_LANGUAGES = 100
# Start and end given together with a duration must agree to within this (clients round).
DURATION_TOLERANCE_SECONDS = 1.0

Problem = dict[str, str]

# Every instant a client sends lies within these years: checked first, the interval arithmetic cannot overflow.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "Must be a time between 2000-01-01 and 2100-01-01"
TOO_LONG = "A session cannot be longer than 24 hours"
# A duration past this (about 32 years) is refused before any arithmetic: with the instants above, what is
# below it cannot overflow a datetime, and the 24-hour rule reports it together with every other problem.
UNREASONABLE_DURATION_SECONDS = 1e9


class SessionFields(Protocol):
    """What a client sends for one session (tracking.models.SessionCreate has these fields)."""

    @property
    def userId(self) -> str: ...

    @property
    def username(self) -> str | None: ...

    @property
    def duration(self) -> float | None: ...

    @property
    def sessionDate(self) -> datetime | None: ...

    @property
    def startTime(self) -> datetime | None: ...

    @property
    def endTime(self) -> datetime | None: ...

    @property
    def languages(self) -> Mapping[str, float]: ...

    @property
    def sessionId(self) -> str | None: ...

    @property
    def projectName(self) -> str | None: ...

    @property
    def editor(self) -> str | None: ...


class InvalidSession(BadRequest):
    def __init__(self, problems: list[Problem]):
        super().__init__("Invalid session", errors=problems)
        self.problems = problems


@dataclass(frozen=True)
class NewSession:
    """A validated session, ready to be stored."""

    session_id: str
    user_id: str
    username: str | None
    start: datetime
    end: datetime
    languages: dict[str, float]
    project_name: str | None
    editor: str | None

    @property
    def duration(self) -> float:
        return (self.end - self.start).total_seconds()

    def span(self) -> Span:
        return Span(self.start, self.end, self.languages)


def utc_ms(moment: datetime) -> datetime:
    """UTC, at the millisecond precision of BSON dates (naive times are taken as UTC)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def session_hash(user_id: str, start: datetime, end: datetime) -> str:
    """The id of a session sent without one: the same user and interval give the same id."""
    text = f"{user_id}|{utc_ms(start).isoformat()}|{utc_ms(end).isoformat()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plausible(instant: datetime) -> bool:
    try:
        return EARLIEST <= utc_ms(instant) < LATEST
    except OverflowError:  # 0001-01-01T00:00:00+01:00 has no UTC time
        return False


def _interval(body: SessionFields, problems: list[Problem]) -> tuple[datetime, datetime] | None:
    duration = body.duration
    if duration is not None and not (math.isfinite(duration) and duration > 0):
        problems.append({"field": "duration", "message": "Must be a finite number of seconds greater than 0"})
        return None
    if duration is not None and duration > UNREASONABLE_DURATION_SECONDS:
        problems.append({"field": "duration", "message": TOO_LONG})
        return None
    instants = {"sessionDate": body.sessionDate, "startTime": body.startTime, "endTime": body.endTime}
    out_of_range = [name for name, instant in instants.items() if instant is not None and not _plausible(instant)]
    if out_of_range:
        problems += [{"field": name, "message": OUT_OF_RANGE} for name in out_of_range]
        return None
    end = body.endTime or body.sessionDate
    start = body.startTime
    if body.endTime is not None and body.sessionDate is not None and utc_ms(body.endTime) != utc_ms(body.sessionDate):
        problems.append({"field": "sessionDate", "message": "Must equal endTime (both are the end of the session)"})
        return None
    if start is not None and end is not None:
        start, end = utc_ms(start), utc_ms(end)
        if duration is not None and abs((end - start).total_seconds() - duration) > DURATION_TOLERANCE_SECONDS:
            problems.append({"field": "duration", "message": "Does not match endTime - startTime"})
            return None
    elif end is not None and duration is not None:
        end = utc_ms(end)
        start = utc_ms(end - timedelta(seconds=duration))
    elif start is not None and duration is not None:
        start = utc_ms(start)
        end = utc_ms(start + timedelta(seconds=duration))
    else:
        problems.append(
            {"field": "body", "message": "Send sessionDate (the end) and duration, or startTime and endTime"}
        )
        return None
    if end <= start:
        problems.append({"field": "endTime", "message": "The session must end after it starts"})
        return None
    return start, end


def build_session(body: SessionFields, *, now: datetime, max_age_days: int) -> NewSession:
    """The session ``body`` describes; raises InvalidSession listing every problem."""
    problems: list[Problem] = []
    interval = _interval(body, problems)
    if interval is not None:
        start, end = interval
        if end - start > MAX_DURATION:
            problems.append({"field": "duration", "message": TOO_LONG})
        if end > now + MAX_FUTURE:
            problems.append({"field": "sessionDate", "message": "The session ends more than 5 minutes in the future"})
        if end < now - timedelta(days=max_age_days):
            problems.append({"field": "sessionDate", "message": f"The session is older than {max_age_days} days"})
    if len(body.languages) > MAX_LANGUAGES:
        problems.append({"field": "languages", "message": f"At most {MAX_LANGUAGES} languages"})
    for name, seconds in body.languages.items():
        if not name.strip() or len(name) > MAX_LANGUAGE_LENGTH:
            problems.append(
                {"field": "languages", "message": f"Language names have 1 to {MAX_LANGUAGE_LENGTH} characters"}
            )
        if not (math.isfinite(seconds) and seconds >= 0):
            problems.append({"field": f"languages.{name}", "message": "Must be a finite number of seconds, 0 or more"})
    if interval is not None and interval[0] >= now:
        problems.append({"field": "sessionDate", "message": "The session has not started yet"})
    if problems or interval is None:
        raise InvalidSession(problems)
    start, end = interval
    username = body.username.strip() if body.username else None
    # A clock a little ahead is accepted, but nothing after the server's clock is credited: the session is
    # stored up to now, its language seconds in proportion. Its id is the one of the interval as sent.
    credited_end = min(end, utc_ms(now))
    kept = (credited_end - start) / (end - start)
    return NewSession(
        session_id=body.sessionId or session_hash(body.userId, start, end),
        user_id=body.userId,
        username=username if is_real_username(username) else None,
        start=start,
        end=credited_end,
        languages={name: seconds * kept for name, seconds in normalise_languages(body.languages).items()},
        project_name=body.projectName,
        editor=body.editor,
    )
