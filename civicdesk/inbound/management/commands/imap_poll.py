"""civicdesk imap_poll: read reports from an IMAP mailbox (see README, "E-mail")."""

import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Takes in the unread mail of the IMAP mailbox CIVICDESK_IMAP_URL once, or every "
        "--every seconds; the worker also does it on every scheduled run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="", help="Overrides CIVICDESK_IMAP_URL.")
        parser.add_argument(
            "--every", type=int, default=0, help="Poll again after this many seconds, for ever."
        )

    def handle(self, *args, url: str, every: int, **options) -> None:
        from civicdesk.inbound.imap import poll

        url = url or settings.CIVICDESK_IMAP_URL
        if not url:
            raise CommandError("Set CIVICDESK_IMAP_URL (imaps://user:password@host/INBOX).")
        while True:
            try:
                report = poll(url)
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from None
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(report.counts.items()))
            self.stdout.write(summary or "no unread mail")
            if every <= 0:
                return
            time.sleep(every)
