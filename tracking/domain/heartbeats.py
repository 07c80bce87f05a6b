"""WakaTime heartbeats: which count, their id, and how consecutive ones become credited sessions.

A heartbeat is an instant at which an editor saw the user at work. Heartbeats of one user at most the
timeout apart are joined, and each joined interval ends at its last heartbeat. Joining is done pair by
pair: every heartbeat and its nearest stored neighbour on each side, when they are at most the timeout
apart, make a session ``[earlier, later]`` whose id is derived from the user and that interval. The union
of those pair sessions is exactly the union of the joined intervals (a joined interval is covered by its
consecutive pairs, and any two heartbeats within the timeout lie inside one joined interval), and ingest
credits the union. So a replayed heartbeat yields sessions already stored, a late one that falls between
two others either bridges a gap or adds pairs inside credited time, and a pair that stopped being
consecutive still lies inside the union: nothing is double counted and nothing needs deleting. A pair's
time goes to the language of its earlier heartbeat, as WakaTime does.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tracking.domain.languages import normalise_language
from tracking.domain.sessions import EARLIEST, LATEST, MAX_FUTURE, OUT_OF_RANGE, NewSession, session_hash
from tracking.errors import BadRequest

# Only these categories are coding time; WakaTime's others (browsing, meeting, ...) are accepted and dropped.
COUNTED_CATEGORIES = frozenset({"coding", "debugging", "writing tests"})
# What wakatime-cli sends in one bulk request at most, and what WakaTime accepts.
MAX_BULK = 25
MAX_EDITOR_LENGTH = 64
UNKNOWN_LANGUAGE = "other"


class HeartbeatFields(Protocol):
    """What a client sends for one heartbeat (tracking.models.HeartbeatCreate has these fields)."""

    @property
    def entity(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def time(self) -> float: ...

    @property
    def project(self) -> str | None: ...

    @property
    def branch(self) -> str | None: ...

    @property
    def language(self) -> str | None: ...

    @property
    def is_write(self) -> bool | None: ...

    @property
    def user_agent(self) -> str | None: ...


class InvalidHeartbeat(BadRequest):
    pass


@dataclass(frozen=True)
class NewHeartbeat:
    """A validated heartbeat; only what joining needs is kept (not the file path)."""

    heartbeat_id: str
    user_id: str
    time: datetime
    category: str
    language: str
    project: str | None
    editor: str | None

    @property
    def counts(self) -> bool:
        return self.category in COUNTED_CATEGORIES


@dataclass(frozen=True)
class Beat:
    """A stored heartbeat, as joining reads it."""

    time: datetime
    language: str
    project: str | None
    editor: str | None


def editor_from_user_agent(user_agent: str | None) -> str | None:
    """The editor named by a WakaTime user agent's last part: ``... vim/9.0 vim-wakatime/11.1.0`` is ``vim``."""
    parts = (user_agent or "").split()
    if not parts:
        return None
    name = parts[-1].split("/", 1)[0]
    if name.lower().endswith("-wakatime"):
        name = name[: -len("-wakatime")]
    return name.lower()[:MAX_EDITOR_LENGTH] or None


def _heartbeat_time(value: float) -> datetime:
    # At the millisecond precision of BSON dates, so that a stored heartbeat reads back the same.
    return datetime.fromtimestamp(math.floor(value * 1000) / 1000, UTC)


def heartbeat_id(user_id: str, fields: HeartbeatFields) -> str:
    """The same heartbeat sent again (the client's offline queue retries) has the same id."""
    parts = (user_id, _heartbeat_time(fields.time).isoformat(), fields.entity, fields.type, fields.category)
    extra = (fields.project or "", fields.branch or "", fields.language or "", str(fields.is_write))
    return hashlib.sha256("|".join((*parts, *extra)).encode("utf-8")).hexdigest()


def build_heartbeat(
    fields: HeartbeatFields, *, user_id: str, user_agent: str | None, now: datetime, max_age_days: int | None
) -> NewHeartbeat:
    """The heartbeat ``fields`` describe; InvalidHeartbeat when it is not finite, too old or in the future.

    ``max_age_days`` None: no age limit (an import of past time; the limit is for live clients).
    """
    if not math.isfinite(fields.time) or fields.time <= 0:
        raise InvalidHeartbeat("time must be a finite number of seconds since the epoch")
    if not EARLIEST.timestamp() <= fields.time < LATEST.timestamp():
        raise InvalidHeartbeat(f"time: {OUT_OF_RANGE}")
    moment = _heartbeat_time(fields.time)
    if moment > now + MAX_FUTURE:
        raise InvalidHeartbeat("The heartbeat is more than 5 minutes in the future")
    if max_age_days is not None and moment < now - timedelta(days=max_age_days):
        raise InvalidHeartbeat(f"The heartbeat is older than {max_age_days} days")
    return NewHeartbeat(
        heartbeat_id=heartbeat_id(user_id, fields),
        user_id=user_id,
        time=moment,
        category=fields.category,
        language=normalise_language(fields.language or UNKNOWN_LANGUAGE),
        project=fields.project,
        editor=editor_from_user_agent(fields.user_agent or user_agent),
    )


def joined_sessions(
    user_id: str, beats: Iterable[Beat], *, around: Iterable[datetime], timeout: timedelta
) -> list[NewSession]:
    """The pair sessions of each heartbeat at ``around`` with its neighbours among ``beats`` (which hold them)."""
    # One beat per instant: two at the same moment add no time (the smallest language wins, deterministically).
    by_time: dict[datetime, Beat] = {}
    for beat in sorted(beats, key=lambda beat: (beat.time, beat.language)):
        by_time.setdefault(beat.time, beat)
    times = sorted(by_time)
    pairs: set[tuple[datetime, datetime]] = set()
    for moment in around:
        index = bisect.bisect_left(times, moment)
        if index == len(times) or times[index] != moment:
            continue
        if index > 0 and moment - times[index - 1] <= timeout:
            pairs.add((times[index - 1], moment))
        if index + 1 < len(times) and times[index + 1] - moment <= timeout:
            pairs.add((moment, times[index + 1]))
    return [_pair_session(user_id, by_time[start], end) for start, end in sorted(pairs)]


def _pair_session(user_id: str, first: Beat, end: datetime) -> NewSession:
    return NewSession(
        session_id=session_hash(user_id, first.time, end),
        user_id=user_id,
        username=None,
        start=first.time,
        end=end,
        languages={first.language: (end - first.time).total_seconds()},
        project_name=first.project,
        editor=first.editor,
    )


def neighbour_ranges(times: Sequence[datetime], timeout: timedelta) -> list[tuple[datetime, datetime]]:
    """Where the neighbours that matter to heartbeats at ``times`` can be: within the timeout of one."""
    return [(moment - timeout, moment + timeout) for moment in sorted(set(times))]
