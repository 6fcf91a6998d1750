"""The `civicdesk` command creates the data directory that the default SQLite database needs."""

import os
import secrets
import subprocess
import sys

from civicdesk.cli import make_sqlite_folders

SQLITE = "django.db.backends.sqlite3"


def test_migrate_in_a_fresh_working_directory_creates_var(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CIVICDESK_")
        and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["CIVICDESK_SECRET_KEY"] = secrets.token_urlsafe(50)
    # One small app's migrations: enough to open and write the database, and quick.
    result = subprocess.run(
        [sys.executable, "-m", "civicdesk", "migrate", "contenttypes"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applying contenttypes.0001_initial... OK" in result.stdout
    assert (tmp_path / "var" / "civicdesk.sqlite3").is_file()


def test_folders_of_sqlite_files_under_the_data_directory_are_made(tmp_path):
    data_dir = tmp_path / "var"
    databases = {
        "default": {"ENGINE": SQLITE, "NAME": str(data_dir / "civicdesk.sqlite3")},
        "other": {"ENGINE": SQLITE, "NAME": str(data_dir / "db" / "other.sqlite3")},
    }
    assert make_sqlite_folders(databases, data_dir) == [data_dir, data_dir / "db"]
    assert (data_dir / "db").is_dir()
    assert make_sqlite_folders(databases, data_dir) == []  # already there


def test_other_folders_and_databases_are_left_alone(tmp_path):
    data_dir = tmp_path / "var"
    databases = {
        "elsewhere": {"ENGINE": SQLITE, "NAME": str(tmp_path / "typo" / "civicdesk.sqlite3")},
        "memory": {"ENGINE": SQLITE, "NAME": ":memory:"},
        "uri": {"ENGINE": SQLITE, "NAME": "file:memorydb?mode=memory&cache=shared"},
        "postgres": {"ENGINE": "django.db.backends.postgresql", "NAME": "civicdesk"},
    }
    assert make_sqlite_folders(databases, data_dir) == []
    assert list(tmp_path.iterdir()) == []
