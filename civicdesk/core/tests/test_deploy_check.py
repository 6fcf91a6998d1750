"""`civicdesk check --deploy` passes as shipped, given production-like settings."""

import json
import os
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

# DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest; deployments must not set it
# (it is async.E001 of `check --deploy`).
_DROPPED = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The current environment without any civicdesk or database setting, plus ``overrides``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CIVICDESK_") and key not in _DROPPED
    }
    env["CIVICDESK_DATA_DIR"] = str(tmp_path / "var")
    env.update(overrides)
    _confirmed_calendar(tmp_path / "var")
    return env


def _confirmed_calendar(data_dir: Path) -> None:
    """An operator who loaded this and next year's holiday arrangements (no days in them:
    only their status matters here), so that the calendar warning (civicdesk.W001, tested in
    test_calendar_coverage) does not depend on the day the suite runs."""
    this_year = date.today().year
    years = {str(year): {"status": "official"} for year in (this_year, this_year + 1)}
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "calendar-override.json").write_text(json.dumps({"years": years}))


def _check(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "civicdesk", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = _clean_env(
        tmp_path,
        CIVICDESK_DEBUG="0",
        CIVICDESK_SECRET_KEY=secrets.token_urlsafe(50),
        CIVICDESK_ALLOWED_HOSTS="civicdesk.example.org",
        CIVICDESK_SITE_URL="https://civicdesk.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    result = _check(tmp_path, env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


@pytest.mark.parametrize("secret", [None, ""])
def test_missing_secret_key_fails_when_debug_is_off(tmp_path, secret):
    env = _clean_env(
        tmp_path,
        CIVICDESK_DEBUG="0",
        CIVICDESK_ALLOWED_HOSTS="civicdesk.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    if secret is not None:
        env["CIVICDESK_SECRET_KEY"] = secret
    result = _check(tmp_path, env)
    assert result.returncode != 0
    assert "CIVICDESK_SECRET_KEY" in result.stdout + result.stderr


def _production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    settings = {
        "CIVICDESK_DEBUG": "0",
        "CIVICDESK_SECRET_KEY": secrets.token_urlsafe(50),
        "CIVICDESK_ALLOWED_HOSTS": "civicdesk.example.org",
        "CIVICDESK_SITE_URL": "https://civicdesk.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    return _clean_env(tmp_path, **{**settings, **overrides})


@pytest.mark.parametrize("site_url", ["", "/", "civicdesk.example.org", "ftp://example.org"])
def test_deploy_check_fails_without_an_absolute_site_url(tmp_path, site_url):
    # Messages would carry links like /track/2FSV-E3XF-RK/ that no phone can open.
    result = _check(tmp_path, _production(tmp_path, CIVICDESK_SITE_URL=site_url))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "notifications.E001" in output and "CIVICDESK_SITE_URL" in output


def test_deploy_check_fails_on_the_demos_settings_file(tmp_path):
    from civicdesk.core import demo_settings

    demo_settings.write(tmp_path / "var", site_url="http://127.0.0.1:8000")
    result = _check(tmp_path, _production(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "core.E001" in output and "demo-settings.json" in output
