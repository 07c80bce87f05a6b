"""The shared request and error path, called in-process with azure.functions request objects."""

from __future__ import annotations

import json

import azure.functions as func
import pytest
from pydantic import BaseModel, Field
from pymongo.errors import ServerSelectionTimeoutError

from tracking.api.auth import PUBLIC
from tracking.api.http import endpoint, json_response, read_json
from tracking.errors import NotFound


class Sample(BaseModel):
    name: str
    count: int = Field(ge=0)


def _request(body: bytes) -> func.HttpRequest:
    return func.HttpRequest(method="POST", url="http://localhost/api/sample", body=body)


@endpoint(auth=PUBLIC)
def echo(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(read_json(req, Sample))


def _call(body: bytes) -> tuple[int, dict[str, object]]:
    response = echo(_request(body))
    return response.status_code, json.loads(response.get_body())


def test_valid_body_is_parsed() -> None:
    assert _call(b'{"name": "a", "count": 2}') == (200, {"name": "a", "count": 2})


def test_malformed_json_is_400() -> None:
    status, body = _call(b'{"name": ')
    assert status == 400
    assert str(body["message"]).startswith("Malformed JSON body")


def test_empty_body_is_400_when_required() -> None:
    assert _call(b"") == (400, {"message": "A JSON body is required"})


def test_non_object_body_is_400() -> None:
    assert _call(b"[1, 2]") == (400, {"message": "The JSON body must be an object"})


def test_every_invalid_field_is_listed_without_echoing_input() -> None:
    status, body = _call(b'{"count": -1}')
    assert status == 400
    assert body == {
        "message": "Invalid request body",
        "errors": [
            {"field": "name", "message": "Field required"},
            {"field": "count", "message": "Input should be greater than or equal to 0"},
        ],
    }


def test_optional_body_may_be_empty() -> None:
    class Options(BaseModel):
        dryRun: bool = False

    request = _request(b"")
    assert read_json(request, Options, optional=True) == Options()


def test_oversized_body_is_413(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_BODY_BYTES", "10")
    assert _call(b'{"name": "abcdefgh"}') == (413, {"message": "The body is larger than 10 bytes"})


def test_app_error_becomes_its_status_and_message() -> None:
    @endpoint(auth=PUBLIC)
    def missing(req: func.HttpRequest) -> func.HttpResponse:
        raise NotFound("No user 42")

    response = missing(_request(b""))
    assert (response.status_code, json.loads(response.get_body())) == (404, {"message": "No user 42"})


def test_unreachable_database_is_503_with_retry_after() -> None:
    @endpoint(auth=PUBLIC)
    def down(req: func.HttpRequest) -> func.HttpResponse:
        raise ServerSelectionTimeoutError("no servers")

    response = down(_request(b""))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert json.loads(response.get_body()) == {"message": "The database is unavailable, try again shortly"}


def test_unexpected_error_is_500_without_details() -> None:
    @endpoint(auth=PUBLIC)
    def broken(req: func.HttpRequest) -> func.HttpResponse:
        raise KeyError("secret-internal-name")

    response = broken(_request(b""))
    assert response.status_code == 500
    assert json.loads(response.get_body()) == {"message": "Internal server error"}
