"""Heartbeat rules without a database: validity, ids, the editor, joining into pair sessions, durations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tracking.domain.durations import duration_text
from tracking.domain.heartbeats import (
    Beat,
    InvalidHeartbeat,
    build_heartbeat,
    editor_from_user_agent,
    joined_sessions,
    neighbour_ranges,
)
from tracking.domain.sessions import session_hash

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=15)
USER = "111111111111111111"


@dataclass(frozen=True)
class Fields:
    time: float
    entity: str = "main.py"
    type: str = "file"
    category: str = "coding"
    project: str | None = "app"
    branch: str | None = None
    language: str | None = "C++"
    is_write: bool | None = None
    user_agent: str | None = None


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def beat(minutes: float, language: str = "python") -> Beat:
    return Beat(at(minutes), language, "app", "vim")


def pairs(beats: list[Beat], around: list[float]) -> list[tuple[float, float, dict[str, float]]]:
    sessions = joined_sessions(USER, beats, around=[at(m) for m in around], timeout=TIMEOUT)
    return [((s.start - NOW).total_seconds() / 60, (s.end - NOW).total_seconds() / 60, s.languages) for s in sessions]


def test_a_heartbeat_pairs_with_its_nearest_neighbour_on_each_side_within_the_timeout() -> None:
    beats = [beat(0), beat(2), beat(4), beat(30)]
    assert pairs(beats, [2]) == [(0, 2, {"python": 120.0}), (2, 4, {"python": 120.0})]
    assert pairs(beats, [4]) == [(2, 4, {"python": 120.0})]  # 26 minutes to the next: over the timeout
    assert pairs(beats, [30]) == []


def test_the_timeout_is_inclusive_and_the_time_goes_to_the_earlier_language() -> None:
    beats = [beat(0, "go"), beat(15, "rust")]
    assert pairs(beats, [15]) == [(0, 15, {"go": 900.0})]
    assert pairs([beat(0), beat(15.01)], [0]) == []


def test_heartbeats_at_one_instant_add_nothing_and_pick_one_language() -> None:
    beats = [beat(0, "rust"), beat(0, "go"), beat(3, "go")]
    assert pairs(beats, [0, 0]) == [(0, 3, {"go": 180.0})]


def test_pair_ids_come_from_the_user_and_the_interval() -> None:
    [session] = joined_sessions(USER, [beat(0), beat(2)], around=[at(2)], timeout=TIMEOUT)
    assert session.session_id == session_hash(USER, at(0), at(2))
    assert (session.user_id, session.project_name, session.editor, session.username) == (USER, "app", "vim", None)


def test_neighbour_ranges_are_the_timeout_around_each_distinct_time() -> None:
    assert neighbour_ranges([at(5), at(0), at(5)], TIMEOUT) == [(at(-15), at(15)), (at(-10), at(20))]


def test_build_heartbeat_normalises_and_refuses_old_future_and_non_finite() -> None:
    built = build_heartbeat(
        Fields(time=at(-1).timestamp() + 0.0005, user_agent="wakatime/v1 (linux) go1.22 vim/9 vim-wakatime/11"),
        user_id=USER,
        user_agent=None,
        now=NOW,
        max_age_days=30,
    )
    assert (built.time, built.language, built.editor, built.counts) == (at(-1), "cpp", "vim", True)
    for minutes, message in (
        (6, "The heartbeat is more than 5 minutes in the future"),
        (-30 * 24 * 60 - 1, "The heartbeat is older than 30 days"),
    ):
        with pytest.raises(InvalidHeartbeat) as refused:
            build_heartbeat(
                Fields(time=at(minutes).timestamp()), user_id=USER, user_agent=None, now=NOW, max_age_days=30
            )
        assert refused.value.message == message
    with pytest.raises(InvalidHeartbeat):
        build_heartbeat(Fields(time=float("nan")), user_id=USER, user_agent=None, now=NOW, max_age_days=30)


@pytest.mark.parametrize("seconds", [2.9825295286569876e16, 1e300, 946684799.0, 4102444800.0])
def test_a_time_outside_the_years_2000_to_2100_is_refused_even_without_an_age_limit(seconds: float) -> None:
    # Found by the fuzzing (an import has no age limit): 3e16 seconds overflowed the conversion into a 500.
    with pytest.raises(InvalidHeartbeat) as refused:
        build_heartbeat(Fields(time=seconds), user_id=USER, user_agent=None, now=NOW, max_age_days=None)
    assert refused.value.message == "time: Must be a time between 2000-01-01 and 2100-01-01"


def test_the_same_heartbeat_has_the_same_id_and_another_file_another() -> None:
    def heartbeat_id(**fields: object) -> str:
        built = build_heartbeat(
            Fields(time=at(-1).timestamp(), **fields),  # type: ignore[arg-type]
            user_id=USER,
            user_agent=None,
            now=NOW,
            max_age_days=30,
        )
        return built.heartbeat_id

    assert heartbeat_id() == heartbeat_id()
    assert heartbeat_id() != heartbeat_id(entity="other.py")


def test_a_missing_language_is_other_and_a_non_coding_category_does_not_count() -> None:
    built = build_heartbeat(
        Fields(time=at(-1).timestamp(), language=None, category="browsing"),
        user_id=USER,
        user_agent="curl/8",
        now=NOW,
        max_age_days=30,
    )
    assert (built.language, built.counts, built.editor) == ("other", False, "curl")


@pytest.mark.parametrize(
    ("user_agent", "editor"),
    [
        ("wakatime/v1.98.0 (linux-6.8.0-x86_64) go1.22.5 vim/9.1.0 vim-wakatime/11.2.0", "vim"),
        ("wakatime/v1.98.0 (darwin-23.0-arm64) go1.22.5 PyCharm/2024.1 PyCharm-wakatime/15.0.1", "pycharm"),
        ("", None),
        (None, None),
    ],
)
def test_the_editor_is_the_plugin_named_last_in_the_user_agent(user_agent: str | None, editor: str | None) -> None:
    assert editor_from_user_agent(user_agent) == editor


@pytest.mark.parametrize(
    ("seconds", "text", "digital", "clock", "decimal"),
    [
        (0, "0 secs", "0:00:00", "0:00", "0.00"),
        (7.1, "7 secs", "0:00:07", "0:00", "0.00"),
        (60, "1 min", "0:01:00", "0:01", "0.02"),
        (3600, "1 hr", "1:00:00", "1:00", "1.00"),
        (8256.6, "2 hrs 17 mins", "2:17:36", "2:17", "2.28"),
    ],
)
def test_durations_read_as_wakatime_writes_them(
    seconds: float, text: str, digital: str, clock: str, decimal: str
) -> None:
    parts = duration_text(seconds)
    assert (parts.text, parts.digital, parts.clock, parts.decimal) == (text, digital, clock, decimal)
