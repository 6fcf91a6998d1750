"""Put the scheduled jobs on the task queue; run it from cron or a systemd timer, e.g. every
10 minutes (deploy/systemd/civicdesk-scheduler.timer)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Enqueue the scheduled jobs listed in CIVICDESK_SCHEDULED_TASKS."

    def handle(self, *args, **options) -> None:
        for path in settings.CIVICDESK_SCHEDULED_TASKS:
            job = import_string(path)
            result = job.enqueue()
            self.stdout.write(f"{job.name}: {result.id}")
