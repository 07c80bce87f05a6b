"""infra/main.bicep, checked offline: parsed with pycep-parser (no Bicep CLI, no Azure).

The Bicep compiler and linter run in CI (`az bicep build` / `az bicep lint`); these tests check what
they cannot: that the template sets up what this app needs on Flex Consumption, and that every setting
the code reads is set in Azure and in local.settings.example.json.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

import function_app
from tracking import config

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
SETTING_REFERENCE = re.compile(r"%([A-Za-z0-9_]+)%")

# App settings that configure the platform, not the app: the host's storage and Application Insights.
PLATFORM_SETTINGS = {
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__queueServiceUri",
    "AzureWebJobsStorage__tableServiceUri",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
}
# Settings the code reads that have no meaning in Azure, with the reason.
LOCAL_ONLY_SETTINGS = {
    "LOCAL_HTTP_PORT": "port of the local host (python -m tracking.host); Azure serves on its own port",
}
# Settings that Flex Consumption rejects or ignores: the runtime is set in functionAppConfig, the package is
# deployed to blob storage rather than a content share, and scale is set in scaleAndConcurrency. This is the
# list `az functionapp flex-migration` leaves behind, plus the time zone settings Linux plans do not support.
FLEX_FORBIDDEN_SETTINGS = {
    "ENABLE_ORYX_BUILD",
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_MAX_HTTP_CONCURRENCY",
    "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
    "FUNCTIONS_WORKER_PROCESS_COUNT",
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_WORKER_RUNTIME_VERSION",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "WEBSITE_CONTENTOVERVNET",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_DNS_SERVER",
    "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
    "WEBSITE_MOUNT_ENABLED",
    "WEBSITE_NODE_DEFAULT_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
    "WEBSITE_VNET_ROUTE_ALL",
    "AzureWebJobsDashboard",
    "WEBSITE_TIME_ZONE",
    "TZ",
}
# Built-in Azure role definition IDs the app's identity needs, by the resource type they are granted on.
REQUIRED_ROLES = {
    ("Microsoft.Storage/storageAccounts", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),  # Storage Blob Data Owner
    ("Microsoft.Storage/storageAccounts", "974c5e8b-45b9-4653-ba55-5f855dd0fb88"),  # Storage Queue Data Contributor
    ("Microsoft.Storage/storageAccounts", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"),  # Storage Table Data Contributor
    ("Microsoft.Insights/components", "3913510d-42f4-4e42-8a64-420c390055eb"),  # Monitoring Metrics Publisher
    ("Microsoft.KeyVault/vaults", "4633458b-17de-408a-b874-0445c86b69e6"),  # Key Vault Secrets User
}


@cache
def template() -> dict[str, Any]:
    return BicepParser().parse(text=(INFRA / "main.bicep").read_text())


def parameter_values() -> dict[str, Any]:
    document = json.loads((INFRA / "main.parameters.json").read_text())
    return {name: entry["value"] for name, entry in document["parameters"].items()}


def expression(node: Any) -> Any:
    """pycep's tree as Bicep-like text: `identity.properties.clientId`, `guid(storage.id, ...)`.

    pycep gives string literals, symbol names and interpolated strings ('a${b}') all as plain strings.
    """
    if isinstance(node, dict) and node.get("operator", {}).get("type") == "property_accessor":
        operands = node["operator"]["operands"]
        return f"{expression(operands['operand_1'])}.{expression(operands['operand_2'])}"
    if isinstance(node, dict) and "function" in node:
        arguments = [expression(value) for value in node["function"]["parameters"].values() if value is not None]
        return f"{node['function']['type']}({', '.join(arguments)})"
    return node


def resources_of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource["config"]
        for name, resource in template()["resources"].items()
        if resource["type"] == resource_type
    }


def only(resource_type: str) -> dict[str, Any]:
    found = list(resources_of_type(resource_type).values())
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def app_settings() -> dict[str, Any]:
    return only("Microsoft.Web/sites/config")["properties"]


def literal_value(value: Any) -> str | None:
    """The string a setting will hold, when the template fixes it: a literal, or a parameter or variable
    holding one (parameters from main.parameters.json, else their defaults). None for computed values."""
    if not isinstance(value, str) or "${" in value:
        return None
    parameters, variables = template()["parameters"], template()["variables"]
    if value in parameters:
        value = parameter_values().get(value, parameters[value]["default"])
    elif value in variables:
        value = variables[value]["value"]
    return value if isinstance(value, str) and "${" not in value else None


@cache
def settings_the_code_reads() -> dict[str, str]:
    """Every setting name the app reads, with where it comes from: the declared settings of tracking/config.py
    and every %NAME% that host.json or a function binding (a timer schedule, say) resolves from app settings."""
    found = {setting.name: "tracking/config.py" for setting in config.ALL_SETTINGS}
    for name in SETTING_REFERENCE.findall((ROOT / "host.json").read_text()):
        found.setdefault(name, "host.json")
    app = function_app.app
    app.functions_bindings = None  # get_functions() refuses a second call otherwise
    for function in app.get_functions():
        for name in SETTING_REFERENCE.findall(function.get_function_json()):
            found.setdefault(name, f"function {function.get_function_name()}")
    return found


def test_the_template_parses_and_uses_no_modules() -> None:
    assert template()["resources"], "no resources parsed"
    source = (INFRA / "main.bicep").read_text()
    assert not re.search(r"^\s*module\s", source, re.MULTILINE), "raw resources only: registry modules need network"


def test_the_plan_is_flex_consumption_on_linux() -> None:
    plan = only("Microsoft.Web/serverfarms")
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True


def test_the_function_app_runs_python_on_the_plan_over_https_with_the_identity() -> None:
    site = only("Microsoft.Web/sites")
    properties = site["properties"]
    assert site["kind"] == "functionapp,linux"
    assert expression(properties["serverFarmId"]) == "plan.id"
    assert properties["httpsOnly"] is True
    assert expression(site["identity"]) == {"type": "UserAssigned", "userAssignedIdentities": {"'${identity.id}'": {}}}
    assert expression(properties["keyVaultReferenceIdentity"]) == "identity.id"

    app_config = properties["functionAppConfig"]
    assert app_config["runtime"]["name"] == "python"
    assert set(app_config["scaleAndConcurrency"]) == {"instanceMemoryMB", "maximumInstanceCount"}
    storage = app_config["deployment"]["storage"]
    assert storage["type"] == "blobContainer"
    assert storage["value"].startswith("${storage.properties.primaryEndpoints.blob}")
    assert storage["authentication"]["type"] == "UserAssignedIdentity"
    assert expression(storage["authentication"]["userAssignedIdentityResourceId"]) == "identity.id"


def test_the_runtime_python_is_the_one_ci_tests_with() -> None:
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    version = literal_value(only("Microsoft.Web/sites")["properties"]["functionAppConfig"]["runtime"]["version"])
    assert version is not None, "the runtime version should be fixed by the template, not computed"
    assert f'PYTHON_VERSION: "{version}"' in workflow


def test_storage_accepts_only_identities_and_holds_the_deployment_container() -> None:
    storage = only("Microsoft.Storage/storageAccounts")["properties"]
    assert storage["allowSharedKeyAccess"] is False
    assert storage["allowBlobPublicAccess"] is False
    assert storage["minimumTlsVersion"] == "TLS1_2"
    containers = resources_of_type("Microsoft.Storage/storageAccounts/blobServices/containers")
    assert list(containers) == ["storage__blobService__deploymentContainer"]
    deployment_storage = only("Microsoft.Web/sites")["properties"]["functionAppConfig"]["deployment"]["storage"]
    assert deployment_storage["value"].endswith("${storage::blobService::deploymentContainer.name}")


def test_monitoring_and_key_vault_use_entra_id_only() -> None:
    insights = only("Microsoft.Insights/components")["properties"]
    assert insights["DisableLocalAuth"] is True
    assert expression(insights["WorkspaceResourceId"]) == "logAnalytics.id"
    assert only("Microsoft.OperationalInsights/workspaces")
    assert only("Microsoft.KeyVault/vaults")["properties"]["enableRbacAuthorization"] is True
    assert only("Microsoft.ManagedIdentity/userAssignedIdentities")


def test_host_storage_is_identity_based_for_blob_queue_and_table() -> None:
    settings = {name: expression(value) for name, value in app_settings().items()}
    assert "AzureWebJobsStorage" not in settings, "a connection string carries an account key"
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identity.properties.clientId"
    for service in ("blob", "queue", "table"):  # Durable Functions keeps its task hub in queues and tables
        assert settings[f"AzureWebJobsStorage__{service}ServiceUri"] == f"storage.properties.primaryEndpoints.{service}"
    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] == "appInsights.properties.ConnectionString"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == (
        "ClientId=${identity.properties.clientId};Authorization=AAD"
    )


def test_no_setting_that_flex_consumption_forbids() -> None:
    forbidden = {name.upper() for name in FLEX_FORBIDDEN_SETTINGS}
    assert {name for name in app_settings() if name.upper() in forbidden} == set()  # names are case-insensitive
    site_config = only("Microsoft.Web/sites")["properties"].get("siteConfig", {})
    assert "appSettings" not in site_config, "app settings belong in the appsettings resource, in one place"
    assert "linuxFxVersion" not in site_config, "Flex takes the runtime from functionAppConfig"


def test_the_identity_has_each_role_it_needs_on_the_right_resource() -> None:
    role_ids = template()["variables"]["roleIds"]["value"]
    granted = set()
    for name, assignment in resources_of_type("Microsoft.Authorization/roleAssignments").items():
        properties = assignment["properties"]
        role = expression(properties["roleDefinitionId"])
        match = re.fullmatch(
            r"subscription_resource_id\(Microsoft\.Authorization/roleDefinitions, roleIds\.(\w+)\)", role
        )
        assert match, f"{name}: {role}"
        role_key, scope = match.group(1), assignment["scope"]
        assert expression(properties["principalId"]) == "identity.properties.principalId", name
        assert properties["principalType"] == "ServicePrincipal", name
        # Deterministic and unique per scope, principal and role, so a redeployment updates in place.
        assert expression(assignment["name"]) == f"guid({scope}.id, identity.id, roleIds.{role_key})", name
        granted.add((template()["resources"][scope]["type"], role_ids[role_key]))
    assert granted == REQUIRED_ROLES


def test_app_settings_wait_for_the_role_assignments() -> None:
    depends_on = set(only("Microsoft.Web/sites/config")["dependsOn"])
    assert set(resources_of_type("Microsoft.Authorization/roleAssignments")) <= depends_on


def test_every_setting_the_code_reads_is_set_in_azure_and_in_the_local_example() -> None:
    in_azure = set(app_settings())
    local = json.loads((ROOT / "local.settings.example.json").read_text())["Values"]
    needed = settings_the_code_reads()
    missing_in_azure = {n: source for n, source in needed.items() if n not in in_azure and n not in LOCAL_ONLY_SETTINGS}
    assert missing_in_azure == {}, "add these to the appsettings of infra/main.bicep"
    assert {n: source for n, source in needed.items() if n not in local} == {}, (
        "add these to local.settings.example.json"
    )
    assert set(LOCAL_ONLY_SETTINGS) <= set(needed), "an exemption for a setting the code no longer reads"
    assert in_azure & set(LOCAL_ONLY_SETTINGS) == set()


def test_azure_sets_no_setting_the_code_does_not_read() -> None:
    unknown = set(app_settings()) - PLATFORM_SETTINGS - set(settings_the_code_reads())
    assert unknown == set(), "a misspelt or stale setting in infra/main.bicep"


def test_secrets_are_key_vault_references_and_nothing_else_is() -> None:
    secret_names = {setting.name for setting in config.ALL_SETTINGS if setting.secret}
    assert "MONGODB_URI" in secret_names
    for name, value in app_settings().items():
        if name in secret_names:
            secret = name.lower().replace("_", "-")
            assert value == f"@Microsoft.KeyVault(SecretUri=${{keyVault.properties.vaultUri}}secrets/{secret}/)", name
        else:
            assert "@Microsoft.KeyVault" not in json.dumps(value), f"{name} is not declared secret=True"


@pytest.mark.parametrize("setting", config.ALL_SETTINGS, ids=lambda setting: setting.name)
def test_fixed_setting_values_are_valid(setting: config.Setting[Any]) -> None:
    """A literal in Bicep or in the local example must parse as the app will parse it (schedules, numbers)."""
    local = json.loads((ROOT / "local.settings.example.json").read_text())["Values"]
    for where, value in (
        ("infra/main.bicep", literal_value(app_settings().get(setting.name))),
        ("local", local.get(setting.name)),
    ):
        if value and not setting.secret:
            try:
                setting.parse(value)
            except ValueError as error:
                pytest.fail(f"{setting.name}={value!r} in {where}: {error}")


def test_timer_schedules_set_in_azure_are_valid() -> None:
    app = function_app.app
    app.functions_bindings = None  # get_functions() refuses a second call otherwise
    for function in app.get_functions():
        trigger = function.get_trigger()
        reference = SETTING_REFERENCE.fullmatch(getattr(trigger, "schedule", None) or "")
        if trigger.type == "timerTrigger" and reference:
            name = reference.group(1)
            value = literal_value(app_settings().get(name))
            assert value is not None, f"{name} (schedule of {function.get_function_name()}) is not a fixed value"
            config.ncrontab(value)


def test_the_durable_task_hub_is_per_environment() -> None:
    hub = app_settings()["DURABLE_TASK_HUB"]
    hub = template()["variables"][hub]["value"] if hub in template()["variables"] else hub
    assert "${environmentName}" in hub
    rendered = hub.replace("${appName}", parameter_values()["appName"]).replace(
        "${environmentName}", parameter_values()["environmentName"]
    )
    # Azure Storage task hub names: a letter, then letters and digits, 3 to 45 characters.
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{2,44}", rendered), rendered


def test_the_parameters_file_matches_the_template() -> None:
    declared = template()["parameters"]
    values = parameter_values()
    assert set(values) <= set(declared), "a parameter the template does not declare"
    required = {name for name, parameter in declared.items() if parameter["default"] is None}
    assert required <= set(values)
    for name, value in values.items():
        for decorator in declared[name]["decorators"]:
            if decorator["type"] == "allowed":
                assert value in decorator["argument"], name
    for name in ("appName", "environmentName"):  # they name storage, Key Vault and the task hub
        assert re.fullmatch(r"[a-z][a-z0-9]+", values[name]), name


def test_outputs_carry_no_secret() -> None:
    for name, output in template()["outputs"].items():
        text = json.dumps(expression(output["value"])).lower()
        for word in ("list", "connectionstring", "secret", "password", "@microsoft.keyvault"):
            assert word not in text, f"output {name} may expose a secret: {text}"


def test_bicepconfig_turns_on_the_rules_that_matter() -> None:
    rules = json.loads((INFRA / "bicepconfig.json").read_text())["analyzers"]["core"]["rules"]
    for rule in (
        "outputs-should-not-contain-secrets",
        "secure-parameter-default",
        "secure-secrets-in-params",
        "use-secure-value-for-secure-inputs",
        "no-hardcoded-env-urls",
        "no-hardcoded-location",
        "no-unused-params",
        "no-unused-vars",
        "use-resource-symbol-reference",
        "use-stable-resource-identifiers",
    ):
        assert rules[rule]["level"] == "error", rule
