"""The `civicdesk` console command: Django's manage.py under the project's own name."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "triage":
        # The triage engine needs no database or settings: run it without starting Django.
        from civicdesk.triage.cli import main as triage_main

        sys.exit(triage_main(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    if len(argv) > 1 and argv[1] == "demo":
        # The demo runs on a developer's machine: debug pages and a throwaway key are fine there.
        os.environ.setdefault("CIVICDESK_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
