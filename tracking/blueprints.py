"""Every blueprint of the app, in one place. Only function_app.py, the local host and tests import this module."""

from __future__ import annotations

import azure.functions as func

from tracking.api import (
    accounts,
    admin,
    analytics,
    embeds,
    fallback,
    keys,
    leaderboards,
    link,
    live,
    openapi,
    sessions,
    signin,
    snapshots,
    stats,
    system,
    users,
    wakatime,
    webhooks,
)
from tracking.jobs import cleanup, credit_sweep, rebuild, reports, rolling_board, streaks
from tracking.jobs import snapshots as snapshot_jobs
from tracking.jobs import webhooks as webhook_jobs

# Every blueprint with a route or a trigger of its own; the catch-all below answers for all that they do not serve.
ROUTED: tuple[func.Blueprint, ...] = (
    system.bp,
    leaderboards.bp,
    snapshots.bp,
    snapshot_jobs.bp,
    rolling_board.bp,
    credit_sweep.bp,
    sessions.bp,
    wakatime.bp,
    live.bp,
    stats.bp,
    analytics.bp,
    accounts.bp,
    users.bp,
    signin.bp,
    embeds.bp,
    keys.bp,
    link.bp,
    admin.bp,
    cleanup.bp,
    rebuild.bp,
    reports.bp,
    streaks.bp,
    webhooks.bp,
    webhook_jobs.bp,
)

# The OpenAPI document lists every routed blueprint and itself; the catch-all answers for all the others.
DOCUMENTED: tuple[func.Blueprint, ...] = (*ROUTED, openapi.document_routes(ROUTED))

BLUEPRINTS: tuple[func.Blueprint, ...] = (*DOCUMENTED, fallback.catch_all(DOCUMENTED))
