from __future__ import annotations

from tracking.domain.legacy import add_languages, baseline


def test_a_user_of_the_replaced_server_keeps_their_totals_as_baseline() -> None:
    user = {"totalCodingTime": 5000.5, "languages": {"python": 3000, "go": 0, "rust": "x", "other": 100}}
    assert baseline(user) == (5000.5, {"python": 3000.0, "other": 100.0})


def test_a_recorded_baseline_wins_over_the_derived_totals() -> None:
    user = {"baselineCodingTime": 100.0, "baselineLanguages": {"python": 50.0}, "totalCodingTime": 9999}
    assert baseline(user) == (100.0, {"python": 50.0})


def test_a_new_user_has_no_baseline() -> None:
    assert baseline({"userId": "1", "totalCodingTime": 0, "languages": {"python": 0}}) == (0.0, {})
    assert baseline({"userId": "1"}) == (0.0, {})


def test_languages_add_per_key() -> None:
    assert add_languages({"python": 1.0}, {"python": 2.0, "go": 3.0}) == {"python": 3.0, "go": 3.0}
