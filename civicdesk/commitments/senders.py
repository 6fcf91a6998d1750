"""Pluggable senders for notifications: `send(to, subject, body)`.

The backend is named by the CIVICDESK_NOTIFICATION_SENDER setting (a dotted class path).
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "civicdesk.commitments.senders.EmailSender"


class Sender(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class EmailSender:
    """Sends through Django's email backend."""

    def send(self, to: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [to], fail_silently=False)


class ConsoleSMSSender:
    """Stands in for an SMS gateway: logs what it would send."""

    def send(self, to: str, subject: str, body: str) -> None:
        logger.info("SMS to %s: %s — %s", to, subject, body)


def get_sender() -> Sender:
    path = getattr(settings, "CIVICDESK_NOTIFICATION_SENDER", DEFAULT_SENDER)
    return import_string(path)()


def send_safely(to: str, subject: str, body: str) -> bool:
    """Send one message; a failing gateway is logged, never allowed to break the caller."""
    try:
        get_sender().send(to, subject, body)
    except Exception:
        logger.exception("could not send a notification to %s", to)
        return False
    return True
