"""Admin and operations routes (admin scope): statistics, health, job status, cleanup, board rebuild, manual jobs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from tracking import config
from tracking.api.auth import ADMIN
from tracking.api.http import durable_endpoint, endpoint, json_response, read_json, read_query
from tracking.domain.retention import iso_week_key
from tracking.errors import BadRequest, NotFound
from tracking.jobs import cleanup, rebuild
from tracking.models import (
    CleanupCreate,
    OrchestrationStartedPublic,
    OrchestrationStatusPublic,
    RecentSessionsQuery,
    SnapshotTriggerCreate,
)
from tracking.services import reports
from tracking.store.client import get_db

bp = df.Blueprint()

# Only cleanup and rebuild instances can be read through the admin routes, never an arbitrary orchestration.
CLEANUP_INSTANCE = re.compile(r"^cleanup-[0-9]{4}-W[0-9]{2}(-dry-run)?$")
REBUILD_INSTANCE = re.compile(r"^rebuild-boards-[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _started_response(req: func.HttpRequest, instance_id: str, status: str, started: bool) -> func.HttpResponse:
    """202 while the orchestration runs, 200 when it has already finished; Location is its status URL."""
    status_url = f"{req.url.split('?', 1)[0].rstrip('/')}/{instance_id}"
    answer = OrchestrationStartedPublic(id=instance_id, started=started, runtimeStatus=status, statusUrl=status_url)
    code = 200 if status == df.OrchestrationRuntimeStatus.Completed.value else 202
    return json_response(answer, code, {"Location": status_url})


async def _status_response(
    client: df.DurableOrchestrationClient, instance_id: str, *, pattern: re.Pattern[str], job: str
) -> func.HttpResponse:
    """The status of an instance of ``job``; 404 for an unknown id or one that is not that job's."""
    if not pattern.fullmatch(instance_id):
        raise NotFound(f"No {job} {instance_id}")
    status = await client.get_status(instance_id)
    if status.runtime_status is None:
        raise NotFound(f"No {job} {instance_id}")
    failed = status.runtime_status == df.OrchestrationRuntimeStatus.Failed
    output = status.output
    answer = OrchestrationStatusPublic(
        id=instance_id,
        runtimeStatus=status.runtime_status.value,
        createdTime=status.created_time,
        lastUpdatedTime=status.last_updated_time,
        progress=status.custom_status,
        result=output if isinstance(output, dict) else None,
        error=str(output) if failed else None,
    )
    return json_response(answer)


@bp.function_name("admin_stats")
@bp.route(route="admin/stats", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any]})
def admin_stats(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(reports.database_statistics(get_db(), storage_warn_mb=config.settings().storage_warn_mb))


@bp.function_name("admin_cron_status")
@bp.route(route="admin/cron/status", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any]})
def admin_cron_status(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(reports.cron_status(get_db(), now=datetime.now(UTC), settings=config.settings()))


@bp.function_name("admin_cleanup_start")
@bp.route(route="admin/cleanup", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
@durable_endpoint(
    auth=ADMIN, answers={200: OrchestrationStartedPublic, 202: OrchestrationStartedPublic}, body=CleanupCreate
)
async def admin_cleanup_start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    body = read_json(req, CleanupCreate, optional=True)
    settings = config.settings()
    dry_run = settings.cleanup_dry_run if body.dryRun is None else body.dryRun
    now = datetime.now(UTC)
    instance_id, status, started = await cleanup.start_cleanup(
        client, now=now, week_key=iso_week_key(now), trigger="admin", dry_run=dry_run, settings=settings
    )
    return _started_response(req, instance_id, status, started)


@bp.function_name("admin_cleanup_status")
@bp.route(route="admin/cleanup/{instanceId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
@durable_endpoint(auth=ADMIN, answers={200: OrchestrationStatusPublic})
async def admin_cleanup_status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = req.route_params.get("instanceId", "")
    return await _status_response(client, instance_id, pattern=CLEANUP_INSTANCE, job="cleanup")


@bp.function_name("admin_boards_rebuild_start")
@bp.route(route="admin/boards/rebuild", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
@durable_endpoint(auth=ADMIN, answers={200: OrchestrationStartedPublic, 202: OrchestrationStartedPublic})
async def admin_boards_rebuild_start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id, status, started = await rebuild.start_rebuild(client, now=datetime.now(UTC))
    return _started_response(req, instance_id, status, started)


@bp.function_name("admin_boards_rebuild_status")
@bp.route(route="admin/boards/rebuild/{instanceId}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
@durable_endpoint(auth=ADMIN, answers={200: OrchestrationStatusPublic})
async def admin_boards_rebuild_status(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    instance_id = req.route_params.get("instanceId", "")
    return await _status_response(client, instance_id, pattern=REBUILD_INSTANCE, job="boards rebuild")


@bp.function_name("admin_snapshot_health")
@bp.route(route="admin/snapshot/health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any]})
def admin_snapshot_health(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(reports.snapshot_health(get_db(), now=datetime.now(UTC)))


@bp.function_name("admin_snapshot_trigger")
@bp.route(route="admin/snapshot/trigger", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any]}, body=SnapshotTriggerCreate)
def admin_snapshot_trigger(req: func.HttpRequest) -> func.HttpResponse:
    body = read_json(req, SnapshotTriggerCreate, optional=True)
    result = reports.trigger_snapshots(
        get_db(), timeframe=body.timeframe, now=datetime.now(UTC), settings=config.settings()
    )
    return json_response({"message": "Manual snapshot triggered successfully", "result": result})


@bp.function_name("admin_run_job")
@bp.route(route="admin/jobs/{jobType}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any]})
def admin_run_job(req: func.HttpRequest) -> func.HttpResponse:
    job_type = req.route_params.get("jobType", "")
    if job_type not in reports.JOB_TYPES:
        raise BadRequest(f"Invalid job type. Must be one of: {', '.join(reports.JOB_TYPES)}")
    result = reports.run_job_type(
        get_db(), job_type, trigger="admin", now=datetime.now(UTC), settings=config.settings()
    )
    return json_response({"message": f"{job_type} job executed successfully", "result": result})


@bp.function_name("admin_system_health")
@bp.route(route="admin/system/health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any], 503: dict[str, Any]})
def admin_system_health(req: func.HttpRequest) -> func.HttpResponse:
    report = reports.system_health(get_db(), now=datetime.now(UTC))
    return json_response(report, 200 if report["success"] else 503)


@bp.function_name("admin_system_stats")
@bp.route(route="admin/system/stats", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any]})
def admin_system_stats(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(reports.system_statistics(get_db(), now=datetime.now(UTC)))


@bp.function_name("admin_recent_sessions")
@bp.route(route="admin/sessions/recent", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint(auth=ADMIN, answers={200: dict[str, Any]}, query=RecentSessionsQuery)
def admin_recent_sessions(req: func.HttpRequest) -> func.HttpResponse:
    query = read_query(req, RecentSessionsQuery)
    return json_response(reports.recent_sessions(get_db(), limit=query.limit))
