"""`civicdesk worker`: runs background tasks (django-tasks' database queue)."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run background tasks from the database queue (e-mails, imports, reports). "
        "Start one or more next to `civicdesk serve`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to process, comma-separated, or '*' for all (default: %(default)s).",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run every waiting task, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default: %(default)s).",
        )
        parser.add_argument("--max-tasks", type=int, help="Exit after running this many tasks.")
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Restart on code changes (development only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        arguments: dict[str, Any] = {
            "queue_name": options["queue_name"],
            "batch": options["batch"],
            "interval": options["interval"],
            # db_worker reloads by default whenever DEBUG is on; a worker reloads only on request.
            "reload": options["reload"],
            "verbosity": options["verbosity"],
        }
        if options["max_tasks"] is not None:
            arguments["max_tasks"] = options["max_tasks"]
        if options["batch"]:
            # A batch run is a one-off (cron, tests): the random start-up delay only spreads
            # long-running workers apart.
            arguments["startup_delay"] = False
        call_command("db_worker", stdout=self.stdout, stderr=self.stderr, **arguments)
