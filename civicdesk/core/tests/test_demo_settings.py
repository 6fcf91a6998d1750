"""Commands run next to the demo just work; production still needs its key (issue 13, 19).

`civicdesk demo` keeps its key, debug mode and address in <data folder>/demo-settings.json;
the settings read it when present and the environment does not say otherwise. Each case runs
in a fresh interpreter, as the settings are read once per process. The real demo followed by
real commands is in demo/tests/test_demo_process.py.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from civicdesk.core import demo_settings

_SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.DEBUG, settings.SECRET_KEY, settings.CIVICDESK_SITE_URL]))"
)


def _env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CIVICDESK_")
        and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "civicdesk.settings"
    env.update(overrides)
    return env


def settings_in(folder: Path, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", _SHOW],
        cwd=folder,
        env=_env(**environment),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_demos_folder_gives_its_key_debug_mode_and_address(tmp_path):
    kept = demo_settings.write(tmp_path / "var", site_url="http://127.0.0.1:8105")

    result = settings_in(tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, kept.secret_key, "http://127.0.0.1:8105"]


def test_the_environment_wins_over_the_demos_file(tmp_path):
    demo_settings.write(tmp_path / "var", site_url="http://127.0.0.1:8105")

    result = settings_in(
        tmp_path,
        CIVICDESK_DEBUG="0",
        CIVICDESK_SECRET_KEY="from-the-environment-" + "e" * 40,
        CIVICDESK_SITE_URL="https://civicdesk.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        False,
        "from-the-environment-" + "e" * 40,
        "https://civicdesk.example.org",
    ]


def test_a_folder_without_the_file_still_requires_the_key(tmp_path):
    result = settings_in(tmp_path)

    assert result.returncode != 0
    assert "CIVICDESK_SECRET_KEY is required" in result.stderr
    assert "demo-settings.json" in result.stderr  # says where a demo would have kept it


def test_the_data_dir_setting_finds_the_file_too(tmp_path):
    kept = demo_settings.write(tmp_path / "data", site_url="")

    result = settings_in(tmp_path, CIVICDESK_DATA_DIR=str(tmp_path / "data"))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[1] == kept.secret_key


def test_the_key_is_made_once_and_kept_private(tmp_path):
    first = demo_settings.write(tmp_path, site_url="http://127.0.0.1:8000")
    again = demo_settings.write(tmp_path, site_url="http://127.0.0.1:9000")
    untouched = demo_settings.write(tmp_path)

    assert len(first.secret_key) >= 50
    assert again.secret_key == first.secret_key  # logins and signed links survive a restart
    assert untouched.site_url == "http://127.0.0.1:9000"
    mode = stat.S_IMODE((tmp_path / demo_settings.FILE_NAME).stat().st_mode)
    assert mode & 0o077 == 0
    assert list(tmp_path.iterdir()) == [tmp_path / demo_settings.FILE_NAME]


@pytest.mark.parametrize(
    "content", ["{", "[]", '{"secret_key": ""}', '{"secret_key": "k", "debug": "yes"}']
)
def test_a_broken_file_is_named_not_guessed_at(tmp_path, content):
    (tmp_path / demo_settings.FILE_NAME).write_text(content)

    with pytest.raises(ImproperlyConfigured, match=r"demo-settings\.json"):
        demo_settings.read(tmp_path)
