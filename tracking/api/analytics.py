"""The stats routes the website calls (public): global figures, and a user's own unless their profile is private."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from tracking import config
from tracking.api.auth import PUBLIC, current_caller
from tracking.api.http import endpoint, json_response, read_query
from tracking.domain.analytics import LANGUAGE_PERIOD_DAYS, DayPoint, FilterStats
from tracking.models import (
    ActiveUsersPublic,
    AnomaliesPublic,
    AnomalyPublic,
    AveragePointPublic,
    DailyPointPublic,
    DailyStatsPublic,
    ExtensionStatsPublic,
    GlobalHeatmapPublic,
    GlobalHeatmapQuery,
    GlobalLanguagesPublic,
    GlobalLanguagesQuery,
    GlobalLivePublic,
    GlobalStatsPublic,
    GlobalTotalsPublic,
    GlobalTrendsPublic,
    GlobalTrendsQuery,
    HourlyPatternsPublic,
    LanguageDayPublic,
    MovingAveragesPublic,
    StatsRangePublic,
    StatsSummaryPublic,
    UserFilterPublic,
    UserHeatmapPublic,
    UserHeatmapQuery,
    UserLanguagesPublic,
    UserLanguagesQuery,
    UserRangeQuery,
    WeekChangePublic,
    WeeklyActivityPublic,
    WeeklyPointPublic,
    WeeklyStatsPublic,
)
from tracking.services import analytics
from tracking.services.analytics import UserRange
from tracking.store.client import get_db

bp = func.Blueprint()

DEFAULT_LANGUAGE_DAYS = 30


@bp.function_name("stats_global")
@bp.route(route="stats/global", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: GlobalStatsPublic})
def stats_global(req: func.HttpRequest) -> func.HttpResponse:
    now, zone = datetime.now(UTC), config.settings().board_timezone
    stats = analytics.read_global(get_db(), now=now, zone=zone)
    return json_response(
        GlobalStatsPublic(
            totals=GlobalTotalsPublic(
                users=stats.users,
                sessions=stats.sessions,
                activeUsers=ActiveUsersPublic(last7Days=stats.active_last_7_days, last30Days=stats.active_last_30_days),
            ),
            weeklyActivity=[
                WeeklyActivityPublic(year=w.year, week=w.week, weekStart=w.week_start, totalHours=w.hours)
                for w in stats.weekly
            ],
            extension=ExtensionStatsPublic(linkedUsers=stats.linked_users),
            timezone=str(zone),
            generatedAt=now,
        )
    )


@bp.function_name("stats_global_live")
@bp.route(route="stats/global/live", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: GlobalLivePublic})
def stats_global_live(req: func.HttpRequest) -> func.HttpResponse:
    now, zone = datetime.now(UTC), config.settings().board_timezone
    live = analytics.read_live(get_db(), now=now, zone=zone)
    return json_response(
        GlobalLivePublic(
            totalHoursTracked=live.total_hours,
            usersOnline=live.users_online,
            sessionsToday=live.sessions_today,
            topLanguageToday=live.top_language_today,
            avgSessionMinutes=live.average_session_minutes,
            timezone=str(zone),
            generatedAt=now,
        )
    )


@bp.function_name("stats_global_trends")
@bp.route(route="stats/global/trends", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: GlobalTrendsPublic}, query=GlobalTrendsQuery)
def stats_global_trends(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, GlobalTrendsQuery)
    now, zone = datetime.now(UTC), config.settings().board_timezone
    trends = analytics.read_trends(get_db(), days=query.days, now=now, zone=zone)
    return json_response(
        GlobalTrendsPublic(
            dates=trends.days,
            hoursTracked=trends.hours_tracked,
            activeUsers=trends.active_users,
            avgStreak=trends.average_streak,
            timezone=str(zone),
            generatedAt=now,
        )
    )


@bp.function_name("stats_global_heatmap")
@bp.route(route="stats/global/heatmap/hourly", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: GlobalHeatmapPublic}, query=GlobalHeatmapQuery)
def stats_global_heatmap(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, GlobalHeatmapQuery)
    now, zone = datetime.now(UTC), config.settings().board_timezone
    matrix = analytics.read_hourly_heatmap(get_db(), window=query.window, now=now, zone=zone)
    return json_response(GlobalHeatmapPublic(matrix=matrix, window=query.window, timezone=str(zone), generatedAt=now))


@bp.function_name("stats_global_languages")
@bp.route(route="stats/global/languages", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: GlobalLanguagesPublic}, query=GlobalLanguagesQuery)
def stats_global_languages(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, GlobalLanguagesQuery)
    days = query.days or (LANGUAGE_PERIOD_DAYS[query.period] if query.period else DEFAULT_LANGUAGE_DAYS)
    now, zone = datetime.now(UTC), config.settings().board_timezone
    growth = analytics.read_language_growth(
        get_db(), days=days, limit=query.limit, compare=query.compare, now=now, zone=zone
    )
    return json_response(
        GlobalLanguagesPublic(
            current=growth.current, previous=growth.previous, days=growth.days, timezone=str(zone), generatedAt=now
        )
    )


def _range(span: UserRange) -> StatsRangePublic:
    return StatsRangePublic(start=span.first, end=span.last, timezone=span.timezone)


def _averages(points: list[DayPoint]) -> list[AveragePointPublic]:
    return [AveragePointPublic(date=point.day, hours=point.hours) for point in points]


def _filter_public(span: UserRange, stats: FilterStats) -> UserFilterPublic:
    return UserFilterPublic(
        range=_range(span),
        summary=StatsSummaryPublic(
            sessionsCount=stats.sessions,
            totalHours=stats.total_hours,
            averageSessionMinutes=stats.average_session_minutes,
            focusRatio=stats.focus_ratio,
            contextSwitchesPerDay=stats.context_switches_per_day,
        ),
        hourlyPatterns=HourlyPatternsPublic(weekdays=stats.weekday_hours, weekends=stats.weekend_hours),
        daily=DailyStatsPublic(
            series=[DailyPointPublic(date=p.day, totalHours=p.hours, sessions=p.sessions) for p in stats.daily],
            movingAverages=MovingAveragesPublic(ma7=_averages(stats.ma7), ma30=_averages(stats.ma30)),
            anomalies=AnomaliesPublic(
                spikes=[AnomalyPublic(date=a.day, hours=a.hours, ratio=a.ratio) for a in stats.spikes],
                drops=[AnomalyPublic(date=a.day, hours=a.hours, ratio=a.ratio) for a in stats.drops],
            ),
            deepWorkDays=stats.deep_work_days,
        ),
        weekly=WeeklyStatsPublic(
            series=[
                WeeklyPointPublic(year=w.year, week=w.week, weekStart=w.week_start, totalHours=w.hours, key=w.key)
                for w in stats.weekly
            ],
            weekOverWeek=[WeekChangePublic(weekKey=c.week_key, pctChange=c.pct_change) for c in stats.week_over_week],
        ),
    )


@bp.function_name("stats_user_filter")
@bp.route(route="stats/{userId}/filter", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: UserFilterPublic}, query=UserRangeQuery)
def stats_user_filter(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, UserRangeQuery)
    result = analytics.read_user_filter(
        get_db(),
        user_id=req.route_params["userId"],
        caller=current_caller(),
        start=query.startDate,
        end=query.endDate,
        now=datetime.now(UTC),
    )
    return json_response(_filter_public(result.range, result.stats))


@bp.function_name("stats_user_languages")
@bp.route(route="stats/{userId}/languages", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: UserLanguagesPublic}, query=UserLanguagesQuery)
def stats_user_languages(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, UserLanguagesQuery)
    result = analytics.read_user_languages(
        get_db(),
        user_id=req.route_params["userId"],
        caller=current_caller(),
        start=query.startDate,
        end=query.endDate,
        top_n=query.topN,
        now=datetime.now(UTC),
    )
    return json_response(
        UserLanguagesPublic(
            range=_range(result.range),
            topLanguages=result.top,
            timeseries=[LanguageDayPublic(date=day, languages=languages) for day, languages in result.timeseries],
            totals=result.totals,
        )
    )


@bp.function_name("stats_user_heatmap")
@bp.route(route="stats/{userId}/heatmap", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=PUBLIC, answers={200: UserHeatmapPublic}, query=UserHeatmapQuery)
def stats_user_heatmap(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, UserHeatmapQuery)
    heatmap = analytics.read_user_heatmap(
        get_db(), user_id=req.route_params["userId"], caller=current_caller(), year=query.year, now=datetime.now(UTC)
    )
    return json_response(
        UserHeatmapPublic(
            year=heatmap.year,
            timezone=heatmap.timezone,
            totalHours=heatmap.total_hours,
            days={day.isoformat(): seconds for day, seconds in heatmap.days.items()},
        )
    )
