"""The WakaTime-compatible API under ``/api/compat/wakatime/v1`` (Wakapi's prefix), for every WakaTime plugin.

Every WakaTime editor plugin talks through wakatime-cli, whose ``api_url`` can point here. The client treats
201 and 202 as done, drops a 400 and puts any other status back in its offline queue for ever, so a new
heartbeat is answered 201, a duplicate 202 and a bad one 400 ``{"error": ...}``; in a bulk request per item,
with 201 for the request. Items past the 25 a bulk request may carry are answered 429 each, as WakaTime
does, which the client queues and sends again. ``current`` is the key's own user; a service key names one.

``POST /api/user/{userId}/import/wakatime`` takes a WakaTime heartbeats dump (``{"days": [{"date",
"heartbeats": [...]}]}``, the JSON of WakaTime's "Export heartbeats") through the same path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import azure.functions as func
from pydantic import ValidationError

from tracking import config
from tracking.api.auth import WAKATIME, current_caller, require_acts_for, user_route
from tracking.api.http import endpoint, json_response, read_json_value, read_upload, validation_errors
from tracking.config import Settings
from tracking.domain.durations import duration_text
from tracking.domain.heartbeats import MAX_BULK, InvalidHeartbeat, NewHeartbeat, build_heartbeat
from tracking.errors import BadRequest
from tracking.models import (
    AllTimeDataPublic,
    AllTimePublic,
    AllTimeRangePublic,
    HeartbeatCreate,
    HeartbeatCreatedPublic,
    HeartbeatErrorPublic,
    HeartbeatPublic,
    HeartbeatsBulkPublic,
    StatusBarDataPublic,
    StatusBarPublic,
    StatusBarRangePublic,
    WakaTimeDurationPublic,
    WakaTimeImportedPublic,
    WakaTimeItemPublic,
)
from tracking.services.heartbeats import Outcome, import_heartbeats, read_all_time, read_today, record_heartbeats
from tracking.store.client import get_db

bp = func.Blueprint()

USER_PATH = "compat/wakatime/v1/users/{user}"
STATUS: dict[Outcome, int] = {"recorded": 201, "duplicate": 202, "ignored": 201}
BulkAnswer = tuple[HeartbeatCreatedPublic | HeartbeatErrorPublic, int]


def _acting_user(req: func.HttpRequest) -> str:
    """The user of ``/users/{user}/...``: ``current`` is the key's own; another user needs a key acting for them."""
    user = req.route_params["user"]
    caller = current_caller()
    if user == "current":
        if caller.user_id is None:
            raise BadRequest("A service key names the user: /users/<userId>/...")
        return caller.user_id
    require_acts_for(caller, user)
    return user


def _parse(item: Any) -> HeartbeatCreate:
    if not isinstance(item, dict):
        raise InvalidHeartbeat("Each heartbeat must be a JSON object")
    try:
        return HeartbeatCreate.model_validate(item)
    except ValidationError as error:
        problems = validation_errors(error)
        text = "; ".join(f"{problem['field']}: {problem['message']}" for problem in problems)
        raise InvalidHeartbeat(f"Invalid heartbeat: {text}", errors=problems) from error


def _heartbeat(
    fields: HeartbeatCreate, *, user_id: str, req: func.HttpRequest, now: datetime, settings: Settings
) -> NewHeartbeat:
    return build_heartbeat(
        fields,
        user_id=user_id,
        user_agent=req.headers.get("User-Agent"),
        now=now,
        max_age_days=settings.max_session_age_days,
    )


def _public(fields: HeartbeatCreate, heartbeat: NewHeartbeat) -> HeartbeatCreatedPublic:
    return HeartbeatCreatedPublic(
        data=HeartbeatPublic(
            id=heartbeat.heartbeat_id,
            entity=fields.entity,
            type=fields.type,
            category=fields.category,
            time=fields.time,
            project=fields.project,
            branch=fields.branch,
            language=fields.language,
            is_write=fields.is_write,
        )
    )


@bp.function_name("wakatime_heartbeat")
@bp.route(route=f"{USER_PATH}/heartbeats", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=WAKATIME, answers={201: HeartbeatCreatedPublic, 202: HeartbeatCreatedPublic}, body=HeartbeatCreate)
def wakatime_heartbeat(req: func.HttpRequest) -> func.HttpResponse:
    user_id = _acting_user(req)
    now, settings = datetime.now(UTC), config.settings()
    fields = _parse(read_json_value(req))
    heartbeat = _heartbeat(fields, user_id=user_id, req=req, now=now, settings=settings)
    [outcome] = record_heartbeats(get_db(), user_id=user_id, batch=[heartbeat], now=now, settings=settings)
    return json_response(_public(fields, heartbeat), STATUS[outcome])


@bp.function_name("wakatime_heartbeats_bulk")
@bp.route(route=f"{USER_PATH}/heartbeats.bulk", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=WAKATIME, answers={201: HeartbeatsBulkPublic}, body=list[HeartbeatCreate])
def wakatime_heartbeats_bulk(req: func.HttpRequest) -> func.HttpResponse:
    user_id = _acting_user(req)
    now, settings = datetime.now(UTC), config.settings()
    body = read_json_value(req)
    if not isinstance(body, list):
        raise BadRequest("The body must be a JSON array of heartbeats")
    answers: list[BulkAnswer | None] = []
    valid: list[tuple[int, HeartbeatCreate, NewHeartbeat]] = []
    for index, item in enumerate(body):
        if index >= MAX_BULK:
            answers.append((HeartbeatErrorPublic(error=f"Too many heartbeats: at most {MAX_BULK} a request"), 429))
            continue
        try:
            fields = _parse(item)
            valid.append((index, fields, _heartbeat(fields, user_id=user_id, req=req, now=now, settings=settings)))
            answers.append(None)
        except InvalidHeartbeat as error:
            answers.append((HeartbeatErrorPublic(error=error.message), 400))
    outcomes = record_heartbeats(
        get_db(), user_id=user_id, batch=[heartbeat for _, _, heartbeat in valid], now=now, settings=settings
    )
    for (index, fields, heartbeat), outcome in zip(valid, outcomes, strict=True):
        answers[index] = (_public(fields, heartbeat), STATUS[outcome])
    return json_response(HeartbeatsBulkPublic(responses=[answer for answer in answers if answer is not None]), 201)


def _duration(seconds: float) -> WakaTimeDurationPublic:
    parts = duration_text(seconds)
    return WakaTimeDurationPublic(
        decimal=parts.decimal,
        digital=parts.clock,
        hours=parts.hours,
        minutes=parts.minutes,
        seconds=parts.seconds,
        text=parts.text,
        total_seconds=seconds,
    )


def _item(name: str, seconds: float, total: float) -> WakaTimeItemPublic:
    """A line of a breakdown: as a duration, but ``digital`` with seconds, as WakaTime writes it."""
    return WakaTimeItemPublic(
        **{**_duration(seconds).model_dump(), "digital": duration_text(seconds).digital},
        name=name,
        percent=round(100 * seconds / total, 2) if total else 0.0,
    )


@bp.function_name("wakatime_statusbar_today")
@bp.route(route=f"{USER_PATH}/statusbar/today", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=WAKATIME, answers={200: StatusBarPublic})
def wakatime_statusbar_today(req: func.HttpRequest) -> func.HttpResponse:
    user_id = _acting_user(req)
    now = datetime.now(UTC)
    today = read_today(get_db(), user_id=user_id, now=now)
    total = today.seconds
    languages = sorted(today.languages.items(), key=lambda item: (-item[1], item[0]))
    data = StatusBarDataPublic(
        grand_total=_duration(total),
        categories=[_item("Coding", total, total)] if total else [],
        languages=[_item(name, seconds, total) for name, seconds in languages],
        range=StatusBarRangePublic(
            date=today.day.isoformat(),
            start=today.start,
            end=today.end,
            text=f"{today.day:%a %b} {today.day.day} {today.day.year}",
            timezone=today.timezone,
        ),
    )
    return json_response(StatusBarPublic(cached_at=now, data=data))


@bp.function_name("wakatime_all_time_since_today")
@bp.route(route=f"{USER_PATH}/all_time_since_today", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=WAKATIME, answers={200: AllTimePublic})
def wakatime_all_time_since_today(req: func.HttpRequest) -> func.HttpResponse:
    user_id = _acting_user(req)
    now = datetime.now(UTC)
    total = read_all_time(get_db(), user_id=user_id)
    parts = duration_text(total.seconds)
    data = AllTimeDataPublic(
        decimal=parts.decimal,
        digital=parts.clock,
        text=parts.text,
        total_seconds=total.seconds,
        timeout=config.settings().wakatime_timeout_minutes,
        range=AllTimeRangePublic(
            start=total.since,
            start_date=total.since.date().isoformat() if total.since else None,
            end=now,
            end_date=now.date().isoformat(),
            timezone=total.timezone,
        ),
    )
    return json_response(AllTimePublic(data=data))


def _dump_heartbeats(dump: Any) -> list[Any]:
    """The heartbeats of a WakaTime dump, day by day; 400 for anything else."""
    days = dump.get("days") if isinstance(dump, dict) else None
    if not isinstance(days, list) or not all(
        isinstance(day, dict) and isinstance(day.get("heartbeats", []), list) for day in days
    ):
        raise BadRequest('Not a WakaTime heartbeats dump: expected {"days": [{"date": ..., "heartbeats": [...]}]}')
    return [item for day in days for item in day.get("heartbeats", [])]


@bp.function_name("import_wakatime_dump")
@bp.route(route="user/{userId}/import/wakatime", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(
    auth=user_route(),
    body_limit=config.WAKATIME_IMPORT_MAX_BYTES,
    answers={200: WakaTimeImportedPublic},
    body=dict[str, Any],
)
def import_wakatime_dump(req: func.HttpRequest) -> func.HttpResponse:
    user_id = req.route_params["userId"]
    now, settings = datetime.now(UTC), config.settings()
    batch: list[NewHeartbeat] = []
    refused = 0
    for item in _dump_heartbeats(read_upload(req)):
        try:
            # No age limit: past time is what an import is for.
            fields = _parse(item)
            batch.append(build_heartbeat(fields, user_id=user_id, user_agent=None, now=now, max_age_days=None))
        except InvalidHeartbeat:
            refused += 1
    counts = import_heartbeats(get_db(), user_id=user_id, batch=batch, now=now, settings=settings)
    return json_response(
        WakaTimeImportedPublic(
            imported=counts.imported, duplicates=counts.duplicates, ignored=counts.ignored, refused=refused
        )
    )
