"""Pluggable senders for notifications, one per channel.

Each channel has its own setting naming a sender class by dotted path, read when a message
goes out:

- e-mail: ``CIVICDESK_NOTIFICATION_SENDER`` (default ``EmailSender``, Django's mail backend);
  an e-mail sender has ``send(to, subject, body)``.
- SMS: ``CIVICDESK_SMS_SENDER`` (default ``ConsoleSMSSender``, which only logs, with the number
  masked); an SMS sender has ``send(to, text)``. ``HttpSMSSender`` posts JSON
  ``{"to": …, "text": …}`` to ``CIVICDESK_SMS_GATEWAY_URL``.

Callers build `Message`s (`email_message`, `sms_message`) and hand them to `send_safely`, which
picks the sender of the message's channel.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "civicdesk.commitments.senders.EmailSender"
DEFAULT_SMS_SENDER = "civicdesk.commitments.senders.ConsoleSMSSender"
DEFAULT_SMS_GATEWAY_TIMEOUT = 10  # seconds


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


# channel: (setting naming the sender class, default class)
SENDER_SETTINGS = {
    Channel.EMAIL: ("CIVICDESK_NOTIFICATION_SENDER", DEFAULT_SENDER),
    Channel.SMS: ("CIVICDESK_SMS_SENDER", DEFAULT_SMS_SENDER),
}


@dataclass(frozen=True)
class Message:
    """One notification to one address: an e-mail address or a phone number, by channel."""

    channel: Channel
    to: str
    body: str
    subject: str = ""  # e-mail only; an SMS is just its text


def email_message(to: str, subject: str, body: str) -> Message:
    return Message(Channel.EMAIL, to, body, subject)


def sms_message(to: str, text: str) -> Message:
    return Message(Channel.SMS, to, text)


class Sender(Protocol):
    """An e-mail sender."""

    def send(self, to: str, subject: str, body: str) -> None: ...


class SMSSender(Protocol):
    def send(self, to: str, text: str) -> None: ...


def mask_phone(phone: str) -> str:
    """The number with every digit but the last four replaced, for logs: ``*******8000``."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) <= 4:
        return "*" * max(len(digits), 3)
    return "*" * (len(digits) - 4) + digits[-4:]


class EmailSender:
    """Sends through Django's email backend."""

    def send(self, to: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [to], fail_silently=False)


class ConsoleSMSSender:
    """Stands in for an SMS gateway: logs what it would send, never the full number."""

    def send(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(to), text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET and lose the message: fail instead."""

    def redirect_request(self, *args, **kwargs):
        return None


class HttpSMSSender:
    """Posts ``{"to": phone, "text": text}`` as JSON to ``CIVICDESK_SMS_GATEWAY_URL``, with
    ``Authorization: Bearer CIVICDESK_SMS_GATEWAY_TOKEN`` if that is set; any answer but 2xx,
    a redirect or no answer within ``CIVICDESK_SMS_GATEWAY_TIMEOUT`` seconds is an error."""

    def __init__(self) -> None:
        self.url = getattr(settings, "CIVICDESK_SMS_GATEWAY_URL", "")
        self.token = getattr(settings, "CIVICDESK_SMS_GATEWAY_TOKEN", "")
        self.timeout = float(
            getattr(settings, "CIVICDESK_SMS_GATEWAY_TIMEOUT", DEFAULT_SMS_GATEWAY_TIMEOUT)
        )
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured(
                "HttpSMSSender needs CIVICDESK_SMS_GATEWAY_URL, an http:// or https:// address."
            )

    def send(self, to: str, text: str) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.url,
            data=json.dumps({"to": to, "text": text}, ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )
        opener = urllib.request.build_opener(_NoRedirect)
        with opener.open(request, timeout=self.timeout) as response:  # HTTPError unless 2xx
            response.read()


def get_sender(channel: Channel = Channel.EMAIL) -> Sender | SMSSender:
    name, default = SENDER_SETTINGS[Channel(channel)]
    return import_string(getattr(settings, name, default))()


def _shown(message: Message) -> str:
    return mask_phone(message.to) if message.channel == Channel.SMS else message.to


def send_safely(message: Message) -> bool:
    """Send one message; a failing gateway is logged, never allowed to break the caller."""
    try:
        sender = get_sender(message.channel)
        if message.channel == Channel.SMS:
            sender.send(message.to, message.body)
        else:
            sender.send(message.to, message.subject, message.body)
    except Exception:
        logger.exception(
            "could not send a notification (%s) to %s", message.channel, _shown(message)
        )
        return False
    return True
