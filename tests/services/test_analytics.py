"""What the stats read: a user's filter and languages only their daily totals, the live figures only counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from tests.utils.factories import USER_A, create_user
from tracking import config
from tracking.domain.access import Caller
from tracking.domain.sessions import NewSession
from tracking.services import analytics
from tracking.services.ingest import record_sessions

NOW = datetime.now(UTC).replace(microsecond=0)


class Commands(monitoring.CommandListener):
    """The collection each command names, in order, and the commands sent to each."""

    def __init__(self) -> None:
        self.collections: list[str] = []
        self.names: set[tuple[str, str]] = set()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        if isinstance(target, str):
            self.collections.append(target)
            self.names.add((event.command_name, target))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def watched(db: Database[Any], mongodb_uri: str) -> Iterator[tuple[Database[Any], Commands]]:
    create_user(db, USER_A, "lovelace", timezone="America/New_York")
    start = NOW - timedelta(days=2)
    batch = [
        NewSession(
            f"s{n}",
            USER_A,
            None,
            start + n * timedelta(hours=3),
            start + n * timedelta(hours=3) + timedelta(hours=1),
            {"python": 3600},
            None,
            None,
        )
        for n in range(5)
    ]
    record_sessions(db, batch=batch, now=NOW, settings=config.settings())
    commands = Commands()
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, tz_aware=True, event_listeners=[commands])
    yield client[db.name], commands
    client.close()


def test_the_filter_and_languages_of_a_user_read_no_session(watched: tuple[Database[Any], Commands]) -> None:
    db, commands = watched
    caller = Caller()
    found = analytics.read_user_filter(db, user_id=USER_A, caller=caller, start=None, end=None, now=NOW)
    assert found.stats.sessions == 5 and found.stats.total_hours == 5.0
    assert commands.collections == ["users", "dailytotals"]
    commands.collections.clear()
    languages = analytics.read_user_languages(db, user_id=USER_A, caller=caller, start=None, end=None, top_n=3, now=NOW)
    assert languages.totals == {"python": 5.0}
    assert commands.collections == ["users", "dailytotals"]


def test_the_live_figures_are_counted_by_the_server(watched: tuple[Database[Any], Commands]) -> None:
    db, commands = watched
    analytics.read_live(db, now=NOW, zone=config.settings().board_timezone, presence_ttl=timedelta(seconds=120))
    # Today's sessions are counted (and summed, when there are any) and who is coding now counted: no find.
    assert {name for name, collection in commands.names if collection == "codingsessions"} <= {"aggregate"}
    assert ("aggregate", "presence") in commands.names
