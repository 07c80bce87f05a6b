"""Session ingest: one session from the extension, or a bulk upload of up to 100."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func
from pydantic import ValidationError

from tracking import config
from tracking.api.auth import INGEST, current_caller, require_acts_for
from tracking.api.http import endpoint, json_response, read_json, validation_errors
from tracking.domain.sessions import InvalidSession, NewSession, build_session
from tracking.errors import Forbidden
from tracking.models import (
    SessionCreate,
    SessionRecordedPublic,
    SessionResultPublic,
    SessionsCreate,
    SessionsRecordedPublic,
)
from tracking.services.ingest import record_sessions
from tracking.store.client import get_db

bp = func.Blueprint()


@bp.function_name("record_session")
@bp.route(route="coding-session", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=INGEST, answers={200: SessionRecordedPublic}, body=SessionCreate)
def record_session(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, SessionCreate)
    require_acts_for(current_caller(), body.userId)
    now, settings = datetime.now(UTC), config.settings()
    session = build_session(body, now=now, max_age_days=settings.max_session_age_days)
    [recorded] = record_sessions(get_db(), batch=[session], now=now, settings=settings)
    return json_response(
        SessionRecordedPublic(
            message="Session recorded successfully!" if recorded else "Session already recorded",
            sessionId=session.session_id,
        )
    )


@bp.function_name("record_sessions")
@bp.route(route="coding-sessions", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=INGEST, answers={200: SessionsRecordedPublic}, body=SessionsCreate)
def record_session_batch(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, SessionsCreate)
    now, settings = datetime.now(UTC), config.settings()
    results: list[SessionResultPublic] = []
    valid: list[tuple[int, NewSession]] = []
    for index, item in enumerate(body.sessions):
        try:
            if not isinstance(item, dict):
                raise InvalidSession([{"field": "body", "message": "Each session must be a JSON object"}])
            try:
                parsed = SessionCreate.model_validate(item)
            except ValidationError as error:
                raise InvalidSession(validation_errors(error)) from error
            require_acts_for(current_caller(), parsed.userId)
            valid.append((index, build_session(parsed, now=now, max_age_days=settings.max_session_age_days)))
        except InvalidSession as error:
            results.append(
                SessionResultPublic(index=index, status="invalid", message=error.message, errors=error.problems)
            )
        except Forbidden as error:
            results.append(SessionResultPublic(index=index, status="forbidden", message=error.message))
    recorded = record_sessions(get_db(), batch=[session for _, session in valid], now=now, settings=settings)
    for (index, session), is_new in zip(valid, recorded, strict=True):
        results.append(
            SessionResultPublic(index=index, status="recorded" if is_new else "duplicate", sessionId=session.session_id)
        )
    results.sort(key=lambda result: result.index)
    return json_response(
        SessionsRecordedPublic(
            recorded=sum(recorded),
            duplicates=len(recorded) - sum(recorded),
            rejected=len(body.sessions) - len(recorded),
            results=results,
        )
    )
