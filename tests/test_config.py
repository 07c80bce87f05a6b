from __future__ import annotations

import subprocess
import sys

import pytest

from tracking import config
from tracking.host.devdb import ROOT


def test_missing_required_setting_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    with pytest.raises(config.SettingError, match="Setting MONGODB_URI is required"):
        _ = config.settings().mongodb_uri


def test_malformed_setting_names_it_and_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_BODY_BYTES", "lots")
    with pytest.raises(config.SettingError, match=r"Setting MAX_BODY_BYTES='lots' is invalid"):
        _ = config.settings().max_body_bytes


def test_secret_setting_value_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URI", "postgres://user:hunter2@db")
    with pytest.raises(config.SettingError) as raised:
        _ = config.settings().mongodb_uri
    assert "hunter2" not in str(raised.value)
    assert "MONGODB_URI=(hidden)" in str(raised.value)


def test_default_applies_when_unset_or_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_DB", "  ")
    assert config.settings().mongodb_db == "distrack"


def test_ncrontab_needs_six_fields() -> None:
    assert config.ncrontab("0 0 2 * * Sun") == "0 0 2 * * Sun"
    with pytest.raises(ValueError, match="six-field"):
        config.ncrontab("0 2 * * 0")


def test_importing_the_app_with_bad_settings_does_not_fail() -> None:
    # The worker imports function_app.py to index every function: a bad setting must not stop that.
    env = {"PATH": "/usr/bin:/bin", "MONGODB_URI": "not-a-uri", "MAX_BODY_BYTES": "x"}
    result = subprocess.run(
        [sys.executable, "-c", "from function_app import app; print(len(app.get_functions()))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 3


def test_an_unresolved_key_vault_reference_is_never_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_API_KEY", "@Microsoft.KeyVault(VaultName=distrack-kv;SecretName=admin-api-key)")
    with pytest.raises(config.SettingError, match="ADMIN_API_KEY=\\(hidden\\) is invalid: is an unresolved Key Vault"):
        _ = config.settings().admin_api_key


def test_discord_and_website_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_SCOPES", "identify, email")
    monkeypatch.setenv("AUTH_REDIRECT_URIS", "https://site.test/cb, http://localhost:3000/cb")
    monkeypatch.setenv("WEBSITE_URL", "https://site.test/")
    monkeypatch.setenv("DISCORD_API_BASE", "http://127.0.0.1:8080/api/")
    current = config.settings()
    assert current.discord_scopes == ("identify", "email")
    assert current.auth_redirect_uris == ("https://site.test/cb", "http://localhost:3000/cb")
    assert (current.website_url, current.discord_api_base) == ("https://site.test", "http://127.0.0.1:8080/api")


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("DISCORD_SCOPES", "email", "must be identify, or identify email"),
        ("DISCORD_SCOPES", "identify guilds", "must be identify, or identify email"),
        ("DISCORD_API_BASE", "http://discord.com/api", "plain http only to a loopback address"),
        ("DISCORD_CDN_URL", "https://cdn.test/?x=1", "must not have a query string"),
        ("AUTH_REDIRECT_URIS", "https://site.test/cb,/relative", "must be an absolute"),
        ("DISCORD_CLIENT_ID", "my-app", "must be empty or a Discord application id"),
        ("WEBSITE_JWT_SECRET", "short", "must be empty or at least 32 characters"),
    ],
)
def test_bad_discord_and_website_settings_name_themselves(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(name, value)
    setting = config.find_setting(name)
    assert setting is not None
    with pytest.raises(config.SettingError, match=f"Setting {name}=.* is invalid: .*{problem}"):
        setting.parse_from(config.settings().environ)
