"""`civicdesk demo`: a ready-to-try district on this machine, in one command."""

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from civicdesk.demo import vocabulary
from civicdesk.demo.generator import DEMO_PASSWORD, load_demo
from civicdesk.problems.suggestions import classifier_train, unit_classifier_train


class Command(BaseCommand):
    help = (
        "Create the database, load the demo district 示范区 (units, staff, two months of "
        "opinions and cases) and serve it with Django's development server."
    )
    # The database may not exist yet; migrate runs the checks that matter after creating it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the data and exit without serving."
        )
        parser.add_argument(
            "--submissions",
            type=int,
            default=2044,
            help="How many demo submissions to create (default: %(default)s).",
        )
        # Hidden: other seeds draw other districts, which only tests and curious people need.
        parser.add_argument("--seed", type=int, default=2044, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        _make_sqlite_folder()
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        summary = load_demo(
            seed=options["seed"], submissions=options["submissions"], stdout=self.stdout
        )
        # Train the category classifier on the demo's categorised cases, so that the triage
        # panel has suggestions from the start (the worker retrains on schedule after that).
        model = classifier_train()
        if model is not None:
            self.stdout.write(f"Triage classifier trained on {model.n_train} categorised cases.")
        # The same for the unit a case should go to, learned from the units that handled cases.
        unit_model = unit_classifier_train()
        if unit_model is not None:
            self.stdout.write(f"Unit classifier trained on {unit_model.n_train} routed cases.")
        host, port = options["host"], options["port"]
        url_host = f"[{host}]" if ":" in host else host
        url = f"http://{url_host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {summary.seconds:.1f} s: {url}"))
        self.stdout.write(f"  Staff inbox: {url}staff/   Admin: {url}admin/")
        self.stdout.write(f"  Every demo login uses the password: {DEMO_PASSWORD}")
        for line in login_table():
            self.stdout.write("  " + line)
        if options["no_serve"]:
            return
        # A worker next to the web server, so background work (clustering runs, scheduled jobs)
        # happens in the demo as it would in production.
        worker = subprocess.Popen(
            [sys.executable, "-m", "civicdesk", "worker"], env=os.environ.copy()
        )
        self.stdout.write(f"  Background worker started (process {worker.pid}).")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)


def login_table() -> list[str]:
    """The demo accounts, one line each: username, role and unit."""
    units = {code: name for code, name, _kind, _parent in vocabulary.UNITS}
    width = max(len(username) for username, *_rest in vocabulary.STAFF)
    return [
        f"{username:<{width}}  {role!s:<10}  {units[unit]} ({name})"
        for username, name, role, unit in vocabulary.STAFF
    ]


def _make_sqlite_folder() -> None:
    """SQLite creates the database file but not its folder (by default ./var)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and database["NAME"] != ":memory:":
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
