from __future__ import annotations

from tracking.api.routing import RouteTable, compile_route


def _table() -> RouteTable:
    return RouteTable(
        [
            compile_route("{*path}", ["GET", "POST"], "catch_all"),
            compile_route("leaderboard/{timeframe}", ["GET"], "board"),
            compile_route("leaderboard/growth", ["GET"], "growth"),
            compile_route("user/{userId}/history/{timeframe}", ["GET"], "history"),
            compile_route("items/{id:int}", ["GET"], "item_by_number"),
            compile_route("items/{name}", ["GET"], "item_by_name"),
            compile_route("files/{name?}", ["PUT"], "file"),
            compile_route("badge/{userId}/{metric}.svg", ["GET"], "badge_svg"),
            compile_route("badge/{userId}/{metric}.json", ["GET"], "badge_json"),
            compile_route("", ["GET"], "index"),
        ]
    )


def test_literal_segments_win_over_parameters() -> None:
    assert _table().match("GET", "leaderboard/growth").route.target == "growth"  # type: ignore[union-attr]
    found = _table().match("GET", "leaderboard/week")
    assert found.route is not None and found.route.target == "board"
    assert found.params == {"timeframe": "week"}


def test_constrained_parameters_win_over_plain_ones() -> None:
    assert _table().match("GET", "items/42").route.target == "item_by_number"  # type: ignore[union-attr]
    assert _table().match("GET", "items/abc").route.target == "item_by_name"  # type: ignore[union-attr]


def test_several_parameters_are_captured() -> None:
    found = _table().match("GET", "user/123/history/day")
    assert found.params == {"userId": "123", "timeframe": "day"}


def test_optional_parameter_may_be_absent() -> None:
    assert _table().match("PUT", "files").params == {}
    assert _table().match("PUT", "files/a.txt").params == {"name": "a.txt"}


def test_empty_route_and_catch_all() -> None:
    assert _table().match("GET", "").route.target == "index"  # type: ignore[union-attr]
    found = _table().match("GET", "some/where/else")
    assert found.route is not None and found.route.target == "catch_all"
    assert found.params == {"path": "some/where/else"}


def test_wrong_method_reports_the_allowed_ones() -> None:
    table = RouteTable([compile_route("health", ["GET"], "health")])
    found = table.match("POST", "health")
    assert found.route is None
    assert found.allowed_methods == {"GET"}
    assert table.match("GET", "nothing").allowed_methods == frozenset()


def test_literals_match_case_insensitively_and_trailing_slash() -> None:
    table = RouteTable([compile_route("health", ["GET"], "health")])
    assert table.match("get", "Health/").route is not None


def test_a_parameter_with_an_extension_matches_only_that_extension() -> None:
    svg = _table().match("GET", "badge/123/total.svg")
    assert (svg.route.target, svg.params) == ("badge_svg", {"userId": "123", "metric": "total"})  # type: ignore[union-attr]
    json = _table().match("GET", "badge/123/rank-week.json")
    assert (json.route.target, json.params) == ("badge_json", {"userId": "123", "metric": "rank-week"})  # type: ignore[union-attr]
    assert _table().match("GET", "badge/123/total.png").route.target == "catch_all"  # type: ignore[union-attr]
    assert _table().match("GET", "badge/123/.svg").route.target == "catch_all"  # type: ignore[union-attr]
