"""The `civicdesk` console command: Django's manage.py under the project's own name."""

import os
import sys
from pathlib import Path


def make_sqlite_folders(databases: dict, data_dir: Path) -> list[Path]:
    """Create the folder of each SQLite database file that lives under the data directory.

    SQLite creates a missing database file but not its folder, so a first `civicdesk migrate`
    in a fresh working directory would fail on the default `./var/civicdesk.sqlite3`. Folders
    outside the data directory are left alone: a path there is the operator's own, and a typo
    in it should fail loudly rather than create folders somewhere unexpected.
    """
    created = []
    data_dir = Path(data_dir).resolve()
    for config in databases.values():
        name = str(config.get("NAME") or "")
        if config.get("ENGINE") != "django.db.backends.sqlite3" or name in {"", ":memory:"}:
            continue
        if name.startswith("file:"):  # a URI (shared in-memory databases and the like)
            continue
        folder = Path(name).resolve().parent
        if folder != data_dir and data_dir not in folder.parents:
            continue
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            created.append(folder)
    return created


def _prepare_data_dir() -> None:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        databases, data_dir = settings.DATABASES, settings.DATA_DIR
    except (ImproperlyConfigured, AttributeError):
        # Django's own command line reports broken settings (and still answers `help`).
        return
    make_sqlite_folders(databases, data_dir)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "triage":
        # The triage engine needs no database or settings: run it without starting Django.
        from civicdesk.triage.cli import main as triage_main

        sys.exit(triage_main(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    if len(argv) > 1 and argv[1] == "demo":
        # The demo runs on one machine, in debug mode with a key of its own, kept in its data
        # folder before the settings are read, so that it and every command run next to it
        # (in the same folder) use the same (civicdesk/core/demo_settings.py).
        from civicdesk.core import demo_settings

        demo_settings.write(demo_settings.data_dir())
    _prepare_data_dir()
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
