"""Put the scheduled jobs on the task queue; run it from cron or a systemd timer, e.g. hourly."""

from django.core.management.base import BaseCommand

from civicdesk.cases.tasks import SCHEDULED


class Command(BaseCommand):
    help = "Enqueue the scheduled case jobs (escalate overdue cases, close undisputed ones)."

    def handle(self, *args, **options) -> None:
        for job in SCHEDULED:
            result = job.enqueue()
            self.stdout.write(f"{job.name}: {result.id}")
