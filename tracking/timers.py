"""Every timer of the app, as data: its function name, the setting that holds its schedule, and the function it runs.

The timer modules in tracking.jobs declare their trigger from this table, the cron status and the
health check read it (they sit below the jobs, so they cannot ask the app), and tests/test_registry.py
checks it against the timers the app really registers. A new timer is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracking import config


@dataclass(frozen=True)
class Timer:
    name: str  # the function name, which is also the job name its runs are recorded under in jobruns
    setting: config.Setting[str]  # the app setting that holds its six-field NCRONTAB schedule (UTC)
    runs: str  # the Python function the timer calls, as module.function

    @property
    def schedule(self) -> str:
        """The schedule as the trigger declares it: a reference to the setting."""
        return f"%{self.setting.name}%"


SNAPSHOTS = Timer("leaderboard_snapshots", config.SNAPSHOT_SCHEDULE, "tracking.jobs.snapshots.leaderboard_snapshots")
ROLLING_SWEEP = Timer(
    "rolling_board_sweeper", config.ROLLING_SWEEP_SCHEDULE, "tracking.jobs.rolling_board.rolling_board_sweeper"
)
CLEANUP = Timer("weekly_cleanup", config.CLEANUP_SCHEDULE, "tracking.jobs.cleanup.weekly_cleanup")
STATS = Timer("database_stats", config.STATS_SCHEDULE, "tracking.jobs.reports.database_stats")
HEALTH_CHECK = Timer("health_check", config.HEALTH_CHECK_SCHEDULE, "tracking.jobs.reports.health_check")
STREAK_DECAY = Timer("streak_decay", config.STREAK_DECAY_SCHEDULE, "tracking.jobs.streaks.streak_decay")
CREDIT_SWEEP = Timer("credit_sweep", config.CREDIT_SWEEP_SCHEDULE, "tracking.jobs.credit_sweep.credit_sweep")
WEBHOOK_DELIVERY = Timer(
    "webhook_delivery", config.WEBHOOK_DELIVERY_SCHEDULE, "tracking.jobs.webhooks.webhook_delivery"
)

# In the order the cron status lists them.
TIMERS: tuple[Timer, ...] = (
    SNAPSHOTS,
    ROLLING_SWEEP,
    CREDIT_SWEEP,
    WEBHOOK_DELIVERY,
    CLEANUP,
    STATS,
    HEALTH_CHECK,
    STREAK_DECAY,
)
