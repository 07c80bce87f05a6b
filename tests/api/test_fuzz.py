"""schemathesis over every route and method of the OpenAPI document, with each kind of credential.

The cases come from the document the app serves (built here in-process, the same function), and run
over real HTTP against the local host and the development database. Each response must not be a 5xx,
must have a status, content type and body the document declares, and every error is JSON. Seeded and
bounded: ``FUZZ_EXAMPLES`` examples per operation and credential. The figures are printed at the end
of the run (tests/conftest.py).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.utils import fuzzing
from tests.utils.factories import USER_A, bearer, create_api_key, create_editor_key
from tests.utils.fake_discord import FakeDiscord, sign_in
from tests.utils.hosts import ADMIN_KEY, SERVICE_KEY, RunningHost
from tracking.api.openapi import documented_routes, openapi_document
from tracking.blueprints import DOCUMENTED

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CREDENTIALS = ("none", "ingest", "editor", "session", "service", "admin")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(openapi_document(documented_routes(DOCUMENTED)))


@pytest.fixture(scope="module")
def fuzz_host(discord_host: RunningHost, fake_discord: FakeDiscord) -> tuple[RunningHost, dict[str, dict[str, str]]]:
    """A host whose database holds one user with sessions, and the headers of each credential kind.

    It signs in with the fake Discord, so the sign-in routes answer as configured (not 503) and the user
    has a website session.
    """
    session_token = sign_in(discord_host, fake_discord, {"id": USER_A, "username": "ada"})
    for days in range(3):
        ended = datetime.now(UTC) - timedelta(days=days, minutes=5)
        session = {
            "userId": USER_A,
            "duration": 3600,
            "sessionDate": ended.isoformat(),
            "languages": {"python": 3600},
        }
        assert discord_host.post("coding-session", json=session, headers=bearer(SERVICE_KEY)).status_code == 200
    headers = {
        "none": {},
        "ingest": bearer(create_api_key(discord_host.db, scope="ingest", user_id=USER_A)),
        "editor": bearer(create_editor_key(discord_host.db, USER_A)),
        "session": bearer(session_token),
        "service": bearer(SERVICE_KEY),
        "admin": bearer(ADMIN_KEY),
    }
    return discord_host, headers


@pytest.mark.parametrize("credential", CREDENTIALS)
@schema.parametrize()
@seed(20261201)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_route_answers_a_server_error_or_off_its_contract(
    case: schemathesis.Case, credential: str, fuzz_host: tuple[RunningHost, dict[str, dict[str, str]]]
) -> None:
    host, headers = fuzz_host
    response = case.call_and_validate(
        base_url=host.base_url.removesuffix("/api"),
        headers={**headers[credential], "X-Forwarded-For": "203.0.113.7"},
        checks=CHECKS,
        timeout=30,
    )
    fuzzing.record(case.operation.label, credential, response.status_code)
