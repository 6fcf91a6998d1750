"""`civicdesk serve`: the production web server (gunicorn, in this process)."""

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from gunicorn.app.base import BaseApplication


def _positive_int_from_env(name: str) -> int | None:
    configured = os.environ.get(name, "")
    if not configured:
        return None
    try:
        return max(1, int(configured))
    except ValueError:
        raise CommandError(f"{name} must be an integer, not {configured!r}") from None


def default_workers() -> int:
    """CIVICDESK_WEB_WORKERS, else gunicorn's usual rule of thumb: 2 * cores + 1."""
    return _positive_int_from_env("CIVICDESK_WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1


def default_threads() -> int:
    """CIVICDESK_WEB_THREADS, else 4 threads per worker."""
    return _positive_int_from_env("CIVICDESK_WEB_THREADS") or 4


def gunicorn_options(
    *, bind: list[str], workers: int, threads: int, timeout: int, access_log: bool
) -> dict[str, Any]:
    return {
        "bind": bind,
        "workers": workers,
        # Threads let a worker serve other requests while one waits for PostgreSQL to flush
        # a commit to disk, and the threaded worker keeps connections alive, which saves a
        # TCP handshake per request: on 2 cores this more than doubles the reports stored per
        # second (docs/benchmarks.md, load). One thread means gunicorn's plain sync worker.
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "keepalive": 5,
        "timeout": timeout,
        # Access logs repeat what a reverse proxy already records; errors always go to stderr.
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        # The application is imported once in the master, so workers share its memory and a
        # broken settings file fails at start-up instead of in every worker.
        "preload_app": True,
        # Gunicorn's runtime control socket lives at one path per user (~/.gunicorn), so two
        # instances on a host would fight over it; civicdesk is managed by signals instead.
        "control_socket_disable": True,
    }


class CivicdeskApplication(BaseApplication):
    """Gunicorn run from Python, so `civicdesk serve` needs no separate config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if value is not None and key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from django.urls import get_resolver

        from civicdesk.wsgi import application

        # Django imports the URLconf (and through it every view, the API's schemas and the
        # triage engine: seconds of work) on the first request. Done here, in the master
        # before it forks, the workers share it and no client waits for it.
        get_resolver().url_patterns  # noqa: B018
        return application


class Command(BaseCommand):
    help = "Serve civicdesk in production with gunicorn (put a TLS reverse proxy in front)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            action="append",
            help="Address to listen on, HOST:PORT or unix:PATH; repeatable "
            "(default: 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="Worker processes (default: CIVICDESK_WEB_WORKERS, else 2 * CPU cores + 1).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            help="Threads per worker (default: CIVICDESK_WEB_THREADS, else 4); 1 for "
            "single-threaded workers.",
        )
        parser.add_argument(
            "--timeout", type=int, default=30, help="Seconds before a stuck worker is restarted."
        )
        parser.add_argument(
            "--access-log", action="store_true", help="Log every request to stdout."
        )
        parser.add_argument(
            "--migrate", action="store_true", help="Apply database migrations before serving."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        workers = default_workers() if options["workers"] is None else options["workers"]
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        threads = default_threads() if options["threads"] is None else options["threads"]
        if threads < 1:
            raise CommandError("--threads must be at least 1.")
        if workers > 1 and settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
            self.stderr.write(
                "Warning: CIVICDESK_CACHE_URL is not set, so each of the "
                f"{workers} workers counts rate limits and log-in failures alone; "
                "set it to a Redis URL (README, configuration)."
            )
        config = gunicorn_options(
            bind=options["bind"] or ["127.0.0.1:8000"],
            workers=workers,
            threads=threads,
            timeout=options["timeout"],
            access_log=options["access_log"],
        )
        self.stdout.write(
            f"Serving on {', '.join(config['bind'])} with {workers} workers of {threads} threads"
        )
        CivicdeskApplication(config).run()
