""".github/workflows/ci.yml, checked offline: the GitHub workflow schema vendored in check-jsonschema, and the
jobs and permissions this project relies on (tests against MongoDB, Bicep checks, what-if, OIDC deployment)."""

from __future__ import annotations

import subprocess
import sys
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML  # check-jsonschema's own YAML parser; YAML 1.2 keeps the key "on" a string

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


@cache
def workflow() -> dict[str, Any]:
    return YAML(typ="safe").load(WORKFLOW.read_text())


def job(name: str) -> dict[str, Any]:
    return workflow()["jobs"][name]


def runs(job_name: str) -> str:
    return "\n".join(step.get("run", "") for step in job(job_name)["steps"])


def step_using(job_name: str, action: str) -> dict[str, Any]:
    found = [step for step in job(job_name)["steps"] if step.get("uses", "").lower().startswith(action.lower() + "@")]
    assert len(found) == 1, f"{job_name}: expected one step using {action}"
    return found[0]


def check_schema(path: Path) -> subprocess.CompletedProcess[str]:
    # --builtin-schema reads the schema shipped inside the package: no network.
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_every_workflow_matches_the_github_workflow_schema() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
    assert WORKFLOW in workflows
    for path in workflows:
        result = check_schema(path)
        assert result.returncode == 0, f"{path.name}:\n{result.stdout}{result.stderr}"


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1))
    assert check_schema(broken).returncode != 0


def test_it_runs_on_pull_requests_and_pushes_to_main_with_read_only_defaults() -> None:
    triggers = workflow()["on"]
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert workflow()["permissions"] == {"contents": "read"}  # jobs that need a token ask for it themselves


def test_the_test_job_runs_the_readme_test_command_against_a_mongodb_service() -> None:
    test = job("test")
    services = list(test["services"].values())
    assert [service["image"] for service in services] == ["mongo:7"]
    assert "27017:27017" in services[0]["ports"]
    assert "make lint" in runs("test")
    [test_step] = [step for step in test["steps"] if step.get("run") == "make test"]
    assert test_step["env"]["MONGODB_URI"] == "mongodb://localhost:27017"
    assert step_using("test", "actions/setup-python")["with"]["python-version"] == "${{ env.PYTHON_VERSION }}"


def test_the_bicep_job_builds_and_lints_the_template() -> None:
    commands = runs("bicep")
    assert "az bicep build --file infra/main.bicep" in commands
    assert "az bicep lint --file infra/main.bicep" in commands


def azure_login_is_oidc(job_name: str) -> None:
    assert job(job_name)["permissions"] == {"contents": "read", "id-token": "write"}
    login = step_using(job_name, "azure/login")["with"]
    assert set(login) == {"client-id", "tenant-id", "subscription-id"}, "OIDC: no client secret or creds"
    assert all(value.startswith("${{ vars.") for value in login.values())


def test_pull_requests_get_a_what_if_with_a_read_only_identity() -> None:
    what_if = job("what-if")
    assert "github.event_name == 'pull_request'" in what_if["if"]
    assert what_if.get("environment") is None, "production's protection rules are for deployments"
    azure_login_is_oidc("what-if")
    assert "AZURE_WHATIF_CLIENT_ID" in step_using("what-if", "azure/login")["with"]["client-id"]
    commands = runs("what-if")
    assert "az deployment group what-if" in commands
    assert "--template-file infra/main.bicep" in commands
    assert "--parameters infra/main.parameters.json" in commands
    assert "az deployment group create" not in commands


def test_main_deploys_infrastructure_then_code_to_production() -> None:
    deploy = job("deploy")
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    assert "github.event_name != 'pull_request'" in deploy["if"]
    assert set(deploy["needs"]) == {"test", "bicep"}
    assert deploy["environment"]["name"] == "production"
    # A deployment stopped halfway leaves Azure half-updated: only pull-request runs are ever cancelled.
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert workflow()["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    azure_login_is_oidc("deploy")
    assert "AZURE_DEPLOY_CLIENT_ID" in step_using("deploy", "azure/login")["with"]["client-id"]

    steps = deploy["steps"]
    [infra_index] = [i for i, step in enumerate(steps) if "az deployment group create" in step.get("run", "")]
    assert "--template-file infra/main.bicep" in steps[infra_index]["run"]
    assert "--parameters infra/main.parameters.json" in steps[infra_index]["run"]
    code = step_using("deploy", "Azure/functions-action")
    assert steps.index(code) > infra_index, "the code goes to the app the infrastructure step created"
    assert code["with"]["app-name"] == "${{ steps.infra.outputs.app-name }}"
    assert code["with"]["remote-build"] is True
    assert code["with"]["respect-funcignore"] is True


def _funcignored(path: str, patterns: list[str]) -> bool:
    """Whether a path is left out of the package by .funcignore's gitignore-style patterns."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(
        fnmatch(prefix, pattern) if "/" in pattern else any(fnmatch(part, pattern) for part in parts)
        for pattern in patterns
        for prefix in prefixes
    )


def test_the_package_keeps_the_live_board_files_and_leaves_the_tests_out() -> None:
    patterns = [line.strip() for line in (ROOT / ".funcignore").read_text().splitlines() if line.strip()]
    static = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tracking" / "api" / "static").iterdir())
    assert static == ["tracking/api/static/board.css", "tracking/api/static/board.html", "tracking/api/static/board.js"]
    assert [path for path in static if _funcignored(path, patterns)] == []
    assert _funcignored("tests/browser/test_live_board.py", patterns)
    assert _funcignored("tracking/host/server.py", patterns)
