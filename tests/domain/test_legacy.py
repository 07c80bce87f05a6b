from __future__ import annotations

from tracking.domain.legacy import add_languages, baseline
from tracking.domain.profiles import User


def test_a_user_of_the_replaced_server_keeps_their_totals_as_baseline() -> None:
    user = User(user_id="1", total_coding_time=5000.5, languages={"python": 3000, "go": 0, "rust": "x", "other": 100})
    assert baseline(user) == (5000.5, {"python": 3000.0, "other": 100.0})


def test_a_recorded_baseline_wins_over_the_derived_totals() -> None:
    user = User(user_id="1", baseline_coding_time=100.0, baseline_languages={"python": 50.0}, total_coding_time=9999)
    assert baseline(user) == (100.0, {"python": 50.0})


def test_a_new_user_has_no_baseline() -> None:
    assert baseline(User(user_id="1", total_coding_time=0, languages={"python": 0})) == (0.0, {})
    assert baseline(User(user_id="1")) == (0.0, {})


def test_languages_add_per_key() -> None:
    assert add_languages({"python": 1.0}, {"python": 2.0, "go": 3.0}) == {"python": 3.0, "go": 3.0}
