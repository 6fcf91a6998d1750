"""`civicdesk demo`: a ready-to-try district on this machine, in one command."""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from civicdesk.core import demo_settings
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
        url = demo_url(options["host"], options["port"])
        # Links in the messages the demo sends must open: they carry its own address (unless
        # the environment names another, e.g. a name other devices know), which is also kept
        # for the commands run next to it, such as a second worker.
        site_url = os.environ.get("CIVICDESK_SITE_URL") or url.rstrip("/")
        # Positions are checked against the demo district's box, as they would be against a
        # real district's, unless the environment sets a box (or sets it empty: no check).
        # The file keeps the demo's own box for the commands run next to it, where the
        # environment still has the last word.
        demo_settings.write(
            settings.DATA_DIR, site_url=site_url, district_bounds=vocabulary.DISTRICT_BOUNDS
        )
        bounds = os.environ.get("CIVICDESK_DISTRICT_BOUNDS", vocabulary.DISTRICT_BOUNDS)
        with override_settings(CIVICDESK_SITE_URL=site_url, CIVICDESK_DISTRICT_BOUNDS=bounds):
            self.load_and_serve(url, options)

    def load_and_serve(self, url: str, options: dict[str, Any]) -> None:
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
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {summary.seconds:.1f} s: {url}"))
        self.stdout.write(f"  Staff inbox: {url}staff/   Admin: {url}admin/")
        self.stdout.write(f"  Every demo login uses the password: {DEMO_PASSWORD}")
        for line in login_table():
            self.stdout.write("  " + line)
        if options["no_serve"]:
            return
        serve_with_worker(options["host"], options["port"], self.stdout)


def demo_url(host: str, port: int) -> str:
    """The address the demo serves at; a wildcard host is reached as this machine."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - compared only
    url_host = f"[{host}]" if ":" in host else host
    return f"http://{url_host}:{port}/"


def serve_with_worker(host: str, port: int, stdout: Any) -> None:
    """Django's development server, with a worker beside it so that background work
    (clustering runs, scheduled jobs) happens in the demo as it would in production.

    The worker ends with the demo however the demo ends: Ctrl-C, SIGTERM and SIGHUP pass
    through the `finally` below, and a demo killed outright (or runserver leaving through
    os._exit when its port is taken) is noticed by the worker itself (demo_worker). No
    autoreloader: a reload would run this again in a new process, with a second worker."""
    worker = start_worker()
    stdout.write(f"  Background worker started (process {worker.pid}).")
    try:
        with ended_by_signals():
            call_command("runserver", f"{host}:{port}", use_reloader=False)
    finally:
        stop_worker(worker)


# Seconds the worker has to finish its task when the demo stops, before it is killed.
WORKER_GRACE_SECONDS = 10


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "civicdesk", "demo_worker", "--parent", str(os.getpid())],
        env=os.environ.copy(),
        # A session of its own: Ctrl-C in the terminal reaches the demo alone, which then
        # stops the worker once, letting it finish its task (a second signal cuts it short).
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=WORKER_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@contextlib.contextmanager
def ended_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP end the demo as Ctrl-C does, by an exception that runs the
    `finally` blocks (by default Python dies on the spot, leaving the worker behind)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; another caller keeps its own
        return

    def end(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), end) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


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
