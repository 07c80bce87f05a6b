"""Recording sessions, and crediting them to every derived collection with one writer per user at a time.

A batch for an existing user costs a fixed number of round trips whatever the user's history:
read the user's credit fields, insert the sessions (a duplicate is refused by the unique key), read the
sessions and daily totals of the days the batch touches, claim the user's next credit version, then write
the daily totals, the boards and the user document (tracking.domain.credit says what). Only the writer
holding the claim writes, so concurrent requests for one user are credited one after the other and none
is lost; a request that loses the claim waits for the winner and recomputes.

A request that fails after storing its session leaves it uncredited: its retry (a duplicate) finds the
derived data behind and credits it, and ``sweep_uncredited`` does the same for sessions nobody retried.
A writer that dies while holding a claim leaves a claim older than ``CLAIM_LEASE``: the next writer takes
it over and rebuilds the user from the sessions, which needs no knowledge of what was half written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from tracking.config import Settings
from tracking.domain import achievements, legacy
from tracking.domain.achievements import Progress
from tracking.domain.credit import (
    BoardTotal,
    CreditPlan,
    NeedsRebuild,
    StoredTotals,
    UserTotals,
    all_time_credit,
    board_entries,
    bot_language_totals,
    credit_window,
    day_total,
    plan_credit,
    rolling_range,
    rolling_totals,
    tracked_credit,
)
from tracking.domain.days import days_overlapped, local_today
from tracking.domain.intervals import Credit, Span, credit
from tracking.domain.periods import ALL_TIME_KEY, ROLLING_KEY, calendar_periods_between
from tracking.domain.profiles import User, is_real_username
from tracking.domain.ranking import is_listed
from tracking.domain.sessions import MAX_FUTURE, NewSession
from tracking.domain.streaks import StreakDays, compute_streak, local_day_seconds, parse_zone
from tracking.errors import ServiceUnavailable
from tracking.services import webhook_events
from tracking.store import boards, creditclaims, dailytotals, jobruns, sessions, users
from tracking.store.client import is_unavailable
from tracking.store.creditclaims import Claim

# A writer holds its claim this long at most; after it, the claim is taken over as a dead writer's.
CLAIM_LEASE = timedelta(seconds=30)
# Claims older than this are deleted by the credit sweep.
CLAIM_RETENTION = timedelta(days=1)
# How long a request waits for other writers of the same user before it answers 503 (its session is stored).
CLAIM_WAIT_SECONDS = 20.0
RETRY_AFTER_SECONDS = "5"


class _LeaseExpired(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "Crediting took too long; the session is stored and will be credited",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )


class _UserBusy(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "Another request for this user is still being credited; the session is stored, try again shortly",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )


def _clock() -> datetime:
    return datetime.now(UTC)


def _check_lease(claim: Claim) -> None:
    """A writer past its lease may have been taken over: it must not write any more."""
    if _clock() - claim.claimed_at > CLAIM_LEASE:
        raise _LeaseExpired()


def record_sessions(db: Database[Any], *, batch: Sequence[NewSession], now: datetime, settings: Settings) -> list[bool]:
    """Store valid sessions and credit them to their users; per session, True if new, False if a duplicate."""
    by_user: dict[str, list[int]] = {}
    for index, session in enumerate(batch):
        by_user.setdefault(session.user_id, []).append(index)
    recorded = [False] * len(batch)
    for indexes in by_user.values():
        results = _record_user_sessions(db, [batch[index] for index in indexes], now=now, settings=settings)
        for index, is_new in zip(indexes, results, strict=True):
            recorded[index] = is_new
    return recorded


def _record_user_sessions(
    db: Database[Any], batch: Sequence[NewSession], *, now: datetime, settings: Settings
) -> list[bool]:
    user_id = batch[0].user_id
    names = [session.username for session in batch if is_real_username(session.username)]
    name = names[-1] if names else None
    user = users.find_credit_user_by_id(db, user_id, now=now)
    if user is None:
        users.insert_user(db, user_id=user_id, username=name, now=now)
        user = users.find_credit_user_by_id(db, user_id, now=now)
        if user is None:  # deleted right after it was created: nothing to credit
            return [False] * len(batch)
    inserted = sessions.insert_sessions(db, batch, username=name or user.username, now=now)
    changes: dict[str, Any] = {"username": name} if name and name != user.username else {}
    if user.totals is None or (user.archived and any(inserted)):
        if any(inserted):
            changes.update(archived=False, archivedAt=None)
        _rebuild_with_claim(db, user_id=user_id, now=now, settings=settings, changes=changes)
        return inserted
    _credit(
        db,
        user.totals,
        batch=[session.span() for session in batch],
        username=name or user.username,
        now=now,
        settings=settings,
        changes=changes,
    )
    return inserted


def _credit(
    db: Database[Any],
    totals: StoredTotals,
    *,
    batch: Sequence[Span],
    username: str | None,
    now: datetime,
    settings: Settings,
    changes: dict[str, Any],
) -> None:
    """Bring the user's derived data up to date with the batch's days; claim, or wait for the writer who has."""
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    attempt = 0
    while True:
        window = credit_window(batch, board_zone=settings.board_timezone, user_zone=totals.zone, now=now)
        spans = sessions.find_spans_by_user_within(db, user_id=totals.user_id, ranges=window.ranges)
        stored = dailytotals.find_days_by_user(db, user_id=totals.user_id, days=window.days)
        try:
            plan = plan_credit(
                totals=totals,
                spans=spans,
                stored_days=stored,
                window=window,
                batch=batch,
                now=now,
                board_zone=settings.board_timezone,
                streak_min_seconds=settings.streak_min_seconds,
            )
        except NeedsRebuild:
            _rebuild_with_claim(db, user_id=totals.user_id, now=now, settings=settings, changes=changes)
            return
        if not plan.changes_anything:
            if changes:
                users.set_fields_by_id(db, totals.user_id, changes)
            return
        claim = _claim(db, user_id=totals.user_id, version=totals.version + 1, now=now, settings=settings)
        if claim is not None:
            try:
                _apply(db, totals, plan, claim=claim, username=username, now=now, settings=settings, changes=changes)
            except Exception as error:
                if is_unavailable(error) or isinstance(error, _LeaseExpired):
                    raise  # the retry or the sweep rebuilds the user once the database answers
                # Half a plan may be written: rebuild from the sessions while the claim is still ours.
                _rebuild_under_claim(
                    db, user_id=totals.user_id, claim=claim, now=now, settings=settings, changes=changes
                )
            return
        attempt = _wait(attempt, deadline)
        fresh = users.find_credit_user_by_id(db, totals.user_id, now=now)
        if fresh is None:  # deleted meanwhile: nothing to credit
            return
        if fresh.totals is None:
            _rebuild_with_claim(db, user_id=totals.user_id, now=now, settings=settings, changes=changes)
            return
        totals = fresh.totals


def _apply(
    db: Database[Any],
    totals: StoredTotals,
    plan: CreditPlan,
    *,
    claim: Claim,
    username: str | None,
    now: datetime,
    settings: Settings,
    changes: dict[str, Any],
) -> None:
    """Write a plan under its claim: daily totals, boards, the webhook events it makes happen, and the user
    document last (it marks the version, so a plan that fails before it is written again, events included)."""
    assert plan.user is not None
    _check_lease(claim)
    dailytotals.set_days_by_user(db, user_id=totals.user_id, totals=plan.days, now=now)
    if totals.listed:
        _check_lease(claim)
        boards.apply_credit_by_user(
            db,
            user_id=totals.user_id,
            totals=plan.board_totals,
            changes=plan.board_changes,
            rolling=plan.rolling,
            now=now,
        )
    _check_lease(claim)
    webhook_events.record_credit_events(
        db,
        totals=totals,
        plan=plan,
        username=username,
        version=claim.version,
        now=now,
        board_zone=settings.board_timezone,
    )
    _check_lease(claim)
    _write_user(db, totals.user_id, version=claim.version, user_totals=plan.user, now=now, changes=changes)


def _wait(attempt: int, deadline: float) -> int:
    """Sleep a little longer each time another writer holds the user; 503 once the wait is over."""
    if time.monotonic() > deadline:
        raise _UserBusy()
    time.sleep(min(0.5, 0.01 * 2**attempt) * (0.5 + random.random()))
    return attempt + 1


def _claim(db: Database[Any], *, user_id: str, version: int, now: datetime, settings: Settings) -> Claim | None:
    """Our claim of ``version``, or None when a live writer holds it (a dead writer's is taken over and rebuilt).

    A writer that has held its claim longer than a database operation may take (``MONGODB_TIMEOUT_MS``) is
    stuck on the database or failed with it, as after an outage: waiting for its lease to run out would hold
    this request for many seconds, so it answers 503 at once (its session is stored).
    """
    claim = creditclaims.insert_claim(db, user_id=user_id, version=version, now=_clock())
    if claim is not None:
        return claim
    held = creditclaims.find_claim(db, user_id=user_id, version=version)
    if held is None:
        return None
    held_for = _clock() - held.claimed_at
    if held_for > CLAIM_LEASE:
        taken = creditclaims.take_over_claim(db, held, now=_clock())
        if taken is not None:
            _rebuild_under_claim(db, user_id=user_id, claim=taken, now=now, settings=settings, changes={})
    elif held_for > timedelta(milliseconds=settings.mongodb_timeout_ms):
        raise _UserBusy()
    return None


def _write_user(
    db: Database[Any], user_id: str, *, version: int, user_totals: UserTotals, now: datetime, changes: dict[str, Any]
) -> None:
    """Write the user's fields as ``version``; achievements the bot already awarded are not added twice."""
    awarded = user_totals.awarded
    if users.set_credit_by_id(
        db, user_id=user_id, version=version, totals=user_totals, awarded=awarded, now=now, changes=changes
    ):
        return
    held = set(users.find_achievement_names_by_id(db, user_id))
    unheld = [milestone for milestone in awarded if milestone.name not in held]
    users.set_credit_by_id(
        db, user_id=user_id, version=version, totals=user_totals, awarded=unheld, now=now, changes=changes
    )


def _claim_next_version(db: Database[Any], *, user_id: str, now: datetime, settings: Settings) -> Claim | None:
    """Our claim of the version after the user's, waiting for other writers; None when there is no such user."""
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    attempt = 0
    while True:
        version = users.find_credit_version_by_id(db, user_id)
        if version is None:
            return None
        claim = _claim(db, user_id=user_id, version=version + 1, now=now, settings=settings)
        if claim is not None:
            return claim
        attempt = _wait(attempt, deadline)


def _rebuild_with_claim(
    db: Database[Any], *, user_id: str, now: datetime, settings: Settings, changes: dict[str, Any]
) -> bool:
    """Claim the user's next version and rebuild them; False when there is no such user."""
    claim = _claim_next_version(db, user_id=user_id, now=now, settings=settings)
    if claim is None:
        return False
    _rebuild_under_claim(db, user_id=user_id, claim=claim, now=now, settings=settings, changes=changes)
    return True


def rebuild_user(db: Database[Any], *, user_id: str, now: datetime, settings: Settings) -> bool:
    """Rebuild a user's daily totals, derived fields and boards from their sessions; False if no such user.

    Days older than the session retention period may have lost their detailed sessions to the
    cleanup, so their daily totals are the record and are kept as they are.
    """
    return _rebuild_with_claim(db, user_id=user_id, now=now, settings=settings, changes={})


def relist_user(db: Database[Any], *, user_id: str, now: datetime, settings: Settings) -> None:
    """Bring a user's board entries in line with their visibility (private, public, archived) and the board zone.

    Only the boards are rebuilt, under a claim like every write of derived data, so that a session being
    credited at the same time waits for it.
    """
    claim = _claim_next_version(db, user_id=user_id, now=now, settings=settings)
    if claim is None:
        return
    user = users.find_user_by_id(db, user_id)
    if user is None:
        return
    credit_user = users.find_credit_user_by_id(db, user_id, now=now)
    if credit_user is not None and credit_user.totals is not None:
        tracked = Credit(credit_user.totals.tracked_seconds, credit_user.totals.language_totals)
    else:
        tracked = tracked_credit(dailytotals.find_all_days_by_user(db, user_id))
    baseline_seconds, baseline_languages = legacy.baseline(user)
    all_time = all_time_credit(
        baseline_seconds=baseline_seconds, baseline_languages=baseline_languages, tracked=tracked
    )
    spans = sessions.find_spans_by_user_between(
        db, user_id=user_id, start=now - _board_horizon(settings) - timedelta(days=31), end=now + MAX_FUTURE
    )
    _check_lease(claim)
    _rebuild_boards(db, user, spans=spans, all_time=all_time, now=now, settings=settings)
    users.set_fields_by_id(db, user_id, {"creditVersion": claim.version})


def _board_horizon(settings: Settings) -> timedelta:
    """How far back a session can still land: the periods a rebuild of the boards covers."""
    return timedelta(days=settings.max_session_age_days + 1)


def _rebuild_boards(
    db: Database[Any],
    user: User,
    *,
    spans: list[Span],
    all_time: Credit,
    now: datetime,
    settings: Settings,
) -> None:
    """The user's entries of every period a session can still reach, all time and the rolling board, whole."""
    user_id = user.user_id
    if not is_listed(user):
        boards.delete_entries_by_user(db, user_id)
        return
    board_zone = settings.board_timezone
    periods = list(calendar_periods_between(now - _board_horizon(settings), now + MAX_FUTURE, board_zone))
    totals = [
        BoardTotal(board, period.key, total)
        for period in periods
        for board, total in board_entries(period.timeframe, credit(spans, period.start, period.end)).items()
    ]
    totals += [BoardTotal(board, ALL_TIME_KEY, total) for board, total in board_entries("allTime", all_time).items()]
    keys = sorted({period.key for period in periods} | {ALL_TIME_KEY, ROLLING_KEY})
    boards.replace_entries_by_user(
        db, user_id=user_id, keys=keys, totals=totals, rolling=rolling_totals(spans, now), now=now
    )


def _rebuild_under_claim(
    db: Database[Any], *, user_id: str, claim: Claim, now: datetime, settings: Settings, changes: dict[str, Any]
) -> None:
    stored_user = users.find_user_by_id(db, user_id)
    if stored_user is None:
        return
    user = users.with_changes(stored_user, changes)
    board_zone = settings.board_timezone
    zone = parse_zone(user.timezone)
    first_complete = (now - timedelta(days=settings.retention_session_days)).date() + timedelta(days=1)
    spans = sessions.find_spans_by_user(db, user_id)
    stored = {total.day: total for total in dailytotals.find_all_days_by_user(db, user_id)}
    session_days = {day for span in spans for day in days_overlapped(span.start, span.end)}
    # A stored day within retention that no session touches any more is recomputed too, which removes it.
    recomputed = {
        day: day_total(spans, day, board_zone, user_zone=zone)
        for day in session_days | stored.keys()
        if day >= first_complete
    }
    days = {**{day: total for day, total in stored.items() if day < first_complete}, **recomputed}

    tracked = tracked_credit(days.values())
    baseline_seconds, baseline_languages = legacy.baseline(user)
    all_time = all_time_credit(
        baseline_seconds=baseline_seconds, baseline_languages=baseline_languages, tracked=tracked
    )

    today = local_today(now, zone)
    local_days = local_day_seconds(((total.day, total.hours) for total in days.values()), zone)
    full = compute_streak(local_days, today=today, min_seconds=settings.streak_min_seconds)
    streak_days = StreakDays.from_day_seconds(local_days, anchor=today, min_seconds=settings.streak_min_seconds)
    # Both only grow: a streak from before the sessions we hold is kept.
    streak = streak_days.streak(today, longest_before=max(full.longest, int(user.longest_streak or 0)))
    ends = [end for end in (user.last_session_date, max((s.end for s in spans), default=None)) if end]
    progress = Progress(total_seconds=all_time.seconds, longest_streak=streak.longest, languages=tracked.languages)
    held = users.find_achievement_names_by_id(db, user_id)
    user_totals = UserTotals(
        tracked=tracked,
        total_seconds=all_time.seconds,
        bot_languages=bot_language_totals(baseline_languages=baseline_languages, language_totals=tracked.languages),
        last_session=max(ends) if ends else None,
        streak_days=streak_days,
        current_streak=streak.current,
        longest_streak=streak.longest,
        last_streak_day=streak.last_day,
        awarded=achievements.newly_reached(progress, held),
    )

    _check_lease(claim)
    dailytotals.set_days_by_user(db, user_id=user_id, totals=recomputed.values(), now=now)
    _check_lease(claim)
    _rebuild_boards(db, user, spans=spans, all_time=all_time, now=now, settings=settings)
    _check_lease(claim)
    rebuilt = {"baselineCodingTime": baseline_seconds, "baselineLanguages": baseline_languages, **changes}
    _write_user(db, user_id, version=claim.version, user_totals=user_totals, now=now, changes=rebuilt)


def sweep_rolling_board(db: Database[Any], *, now: datetime) -> int:
    """Move time that has left the last-24-hours window out of the totals; returns the users updated.

    Each rolling entry records the minute its total next changes (``nextChangeAt``), so the sweep
    recomputes exactly the users whose total moves, and a late or repeated sweep catches up. It writes
    under the user's claim like ingest; a user being credited right now is left to that writer, which
    writes the rolling entries afresh.
    """
    updated = 0
    for user_id in boards.find_users_with_rolling_change_due(db, now):
        version = users.find_credit_version_by_id(db, user_id)
        if version is None:
            boards.delete_entries_by_user(db, user_id)
            continue
        claim = creditclaims.insert_claim(db, user_id=user_id, version=version + 1, now=_clock())
        if claim is None:
            continue
        spans = sessions.find_spans_by_user_within(db, user_id=user_id, ranges=[rolling_range(now)])
        _check_lease(claim)
        boards.set_rolling_by_user(db, user_id=user_id, rolling=rolling_totals(spans, now), now=now)
        users.set_fields_by_id(db, user_id, {"creditVersion": claim.version})
        updated += 1
    return updated


def sweep_uncredited(db: Database[Any], *, since: datetime, now: datetime, settings: Settings) -> dict[str, int]:
    """Credit what a failed request left behind: sessions stored since ``since``, and claims of dead writers."""
    checked = 0
    for user_id in sessions.find_user_ids_created_since(db, since):
        user = users.find_credit_user_by_id(db, user_id, now=now)
        if user is None:
            continue
        checked += 1
        if user.totals is None:
            _rebuild_with_claim(db, user_id=user_id, now=now, settings=settings, changes={})
            continue
        recent = sessions.find_spans_by_user_created_since(db, user_id=user_id, since=since)
        _credit(db, user.totals, batch=recent, username=user.username, now=now, settings=settings, changes={})
    rebuilt = 0
    latest: dict[str, Claim] = {}
    for claim in creditclaims.find_claims_between(db, start=since - CLAIM_LEASE, end=_clock() - CLAIM_LEASE):
        if claim.user_id not in latest or claim.version > latest[claim.user_id].version:
            latest[claim.user_id] = claim
    for user_id, claim in latest.items():
        version = users.find_credit_version_by_id(db, user_id) or 0
        if version < claim.version:
            taken = creditclaims.take_over_claim(db, claim, now=_clock())
            if taken is None:
                continue
            _rebuild_under_claim(db, user_id=user_id, claim=taken, now=now, settings=settings, changes={})
            rebuilt += 1
            version = claim.version
        creditclaims.delete_claims_by_user_up_to(db, user_id=user_id, version=version - 1)
    # A user's latest claim is kept while a slow writer could still try the version before it; a day is past any.
    creditclaims.delete_claims_before(db, _clock() - CLAIM_RETENTION)
    return {"usersChecked": checked, "claimsRebuilt": rebuilt}


# The credit sweep looks this far behind its last successful run, and this far back at most.
SWEEP_MARGIN = timedelta(minutes=10)
SWEEP_MAX_LOOKBACK = timedelta(days=7)


def sweep_uncredited_since_last_run(
    db: Database[Any], *, job_name: str, now: datetime, settings: Settings
) -> dict[str, int]:
    """``sweep_uncredited`` over the sessions stored since the job's last successful run began."""
    last = jobruns.find_last_run_by_name_and_status(db, name=job_name, status=jobruns.SUCCEEDED)
    since = max(now - SWEEP_MAX_LOOKBACK, (last.started_at if last else now - SWEEP_MAX_LOOKBACK) - SWEEP_MARGIN)
    return sweep_uncredited(db, since=since, now=now, settings=settings)
