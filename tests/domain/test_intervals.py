from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracking.domain.intervals import Span, credit, merge

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WIDE = (T0 - timedelta(days=1), T0 + timedelta(days=1))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_two_windows_over_the_same_hour_credit_one_hour() -> None:
    spans = [Span(at(0), at(60), {"python": 3600}), Span(at(0), at(60), {"python": 3600})]
    result = credit(spans, *WIDE)
    assert result.seconds == 3600
    assert result.languages == {"python": 3600}


def test_partial_overlap_credits_the_union() -> None:
    spans = [Span(at(0), at(60)), Span(at(30), at(90))]
    assert credit(spans, *WIDE).seconds == 90 * 60


def test_languages_never_exceed_credited_time() -> None:
    spans = [Span(at(0), at(60), {"python": 5000, "rust": 5000})]
    result = credit(spans, *WIDE)
    assert result.seconds == 3600
    assert result.languages == pytest.approx({"python": 1800, "rust": 1800})


def test_overlap_averages_the_language_shares() -> None:
    spans = [Span(at(0), at(60), {"python": 3600}), Span(at(0), at(60), {"go": 3600})]
    result = credit(spans, *WIDE)
    assert result.languages == pytest.approx({"python": 1800, "go": 1800})


def test_window_clips_sessions() -> None:
    spans = [Span(at(-30), at(30), {"python": 3600})]
    result = credit(spans, at(0), at(120))
    assert result.seconds == 1800
    assert result.languages == pytest.approx({"python": 1800})


def test_nothing_in_the_window_is_zero() -> None:
    assert credit([Span(at(0), at(10))], at(20), at(30)).seconds == 0


def test_merge_joins_touching_and_overlapping_intervals() -> None:
    spans = [Span(at(30), at(40)), Span(at(0), at(10)), Span(at(10), at(20)), Span(at(35), at(50))]
    assert merge(spans) == [(at(0), at(20)), (at(30), at(50))]
