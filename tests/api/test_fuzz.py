"""schemathesis over every route and method of the OpenAPI document, with each kind of credential.

The cases come from the document the app serves (built here in-process, the same function), and run
over real HTTP against the local host and the development database. Each response must not be a 5xx,
must have a status, content type and body the document declares, and every error is JSON. Seeded and
bounded: ``FUZZ_EXAMPLES`` examples per operation and credential. The figures are printed at the end
of the run (tests/conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from pymongo import MongoClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.utils import fuzzing
from tests.utils.factories import USER_A, bearer, create_api_key, create_editor_key
from tests.utils.fake_discord import FakeDiscord, discord_env, sign_in
from tests.utils.hosts import ADMIN_KEY, SERVICE_KEY, RunningHost, host_on_its_own_database
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
def fuzz_host(
    mongodb_uri: str,
    mongo: MongoClient[dict[str, Any]],
    fake_discord: FakeDiscord,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningHost, dict[str, dict[str, str]]]]:
    """A host whose database holds one user with sessions, and the headers of each credential kind.

    It signs in with the fake Discord, so the sign-in routes answer as configured (not 503) and the user
    has a website session.
    """
    with host_on_its_own_database(
        mongodb_uri=mongodb_uri,
        mongo=mongo,
        log_dir=tmp_path_factory.mktemp("fuzz"),
        extra_env=discord_env(fake_discord),
    ) as host:
        session_token = sign_in(host, fake_discord, {"id": USER_A, "username": "ada"})
        for days in range(3):
            ended = datetime.now(UTC) - timedelta(days=days, minutes=5)
            session = {
                "userId": USER_A,
                "duration": 3600,
                "sessionDate": ended.isoformat(),
                "languages": {"python": 3600},
            }
            assert host.post("coding-session", json=session, headers=bearer(SERVICE_KEY)).status_code == 200
        headers = {
            "none": {},
            "ingest": bearer(create_api_key(host.db, scope="ingest", user_id=USER_A)),
            "editor": bearer(create_editor_key(host.db, USER_A)),
            "session": bearer(session_token),
            "service": bearer(SERVICE_KEY),
            "admin": bearer(ADMIN_KEY),
        }
        yield host, headers


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
