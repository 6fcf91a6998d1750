"""civicdesk smtpd: receive reports by e-mail (see README, "E-mail")."""

import signal
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Runs an SMTP server that takes mail for CIVICDESK_MAIL_INTAKE_ADDRESSES and turns "
        "it into reports (or additions to the sender's case); put it behind your MX."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8025, help="Port to listen on.")

    def handle(self, *args, host: str, port: int, **options) -> None:
        from civicdesk.inbound.smtp import controller

        if not settings.CIVICDESK_MAIL_INTAKE_ADDRESSES:
            raise CommandError(
                "Set CIVICDESK_MAIL_INTAKE_ADDRESSES to the address(es) residents write to, "
                "e.g. 12345@district.example.gov.cn; mail for any other address is refused."
            )
        try:
            server = controller(host, port)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        server.start()
        self.stdout.write(
            f"civicdesk smtpd on {host}:{port} for "
            f"{', '.join(settings.CIVICDESK_MAIL_INTAKE_ADDRESSES)}"
            + (" (STARTTLS offered)" if settings.CIVICDESK_SMTPD_TLS_CERT else "")
        )
        try:
            stop.wait()
        finally:
            server.stop()
