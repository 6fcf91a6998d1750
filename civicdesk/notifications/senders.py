"""Pluggable senders, one per channel, used by the outbox delivery (delivery.py).

Each channel has its own setting naming a sender class by dotted path, read when a message
goes out:

- e-mail: ``CIVICDESK_NOTIFICATION_SENDER`` (default ``EmailSender``, Django's mail backend);
  an e-mail sender has ``send(to, subject, body)``.
- SMS: ``CIVICDESK_SMS_SENDER`` (default ``ConsoleSMSSender``, which only logs, with the number
  masked); an SMS sender has ``send(to, text)``. ``HttpSMSSender`` posts JSON
  ``{"to": …, "text": …}`` to ``CIVICDESK_SMS_GATEWAY_URL`` (see SMS_GATEWAY.md).
- WeChat: ``CIVICDESK_WECHAT_SENDER`` (default ``civicdesk.inbound.wechat_send.WeChatSender``,
  the official account's customer-service or template message API); a WeChat sender has
  ``send(to, subject, body)``, ``to`` being the user's openid. Used only when the account's
  AppID and AppSecret are configured (`wechat_configured`).

A sender raises `PermanentSendError` when trying again cannot help (the address or the message
was refused); any other exception counts as temporary and the message is tried again later.
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
import urllib.error
import urllib.request
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "civicdesk.notifications.senders.EmailSender"
DEFAULT_SMS_SENDER = "civicdesk.notifications.senders.ConsoleSMSSender"
DEFAULT_WECHAT_SENDER = "civicdesk.inbound.wechat_send.WeChatSender"
DEFAULT_SMS_GATEWAY_TIMEOUT = 10  # seconds
# Answers of the gateway that say "later", not "never", although they are 4xx.
TEMPORARY_HTTP_CODES = frozenset({408, 425, 429})


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"


# channel: (setting naming the sender class, default class)
SENDER_SETTINGS = {
    Channel.EMAIL: ("CIVICDESK_NOTIFICATION_SENDER", DEFAULT_SENDER),
    Channel.SMS: ("CIVICDESK_SMS_SENDER", DEFAULT_SMS_SENDER),
    Channel.WECHAT: ("CIVICDESK_WECHAT_SENDER", DEFAULT_WECHAT_SENDER),
}


class PermanentSendError(Exception):
    """The message was refused for good (bad address, rejected content): do not retry."""


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


def mask_email(email: str) -> str:
    """The first letter and the domain only, for logs and staff pages: ``l***@example.org``."""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_openid(openid: str) -> str:
    """A WeChat user's openid for logs and staff pages: its first four characters only."""
    return f"{openid[:4]}***" if len(openid) > 8 else "***"


def mask_address(channel: str, address: str) -> str:
    if channel == Channel.SMS:
        return mask_phone(address)
    if channel == Channel.WECHAT:
        return mask_openid(address)
    return mask_email(address)


def wechat_configured() -> bool:
    """Whether messages can be sent to WeChat users: the official account's AppID and
    AppSecret are set (the API's access token needs both)."""
    return bool(
        getattr(settings, "CIVICDESK_WECHAT_APP_ID", "")
        and getattr(settings, "CIVICDESK_WECHAT_APP_SECRET", "")
    )


class EmailSender:
    """Sends through Django's email backend."""

    def send(self, to: str, subject: str, body: str) -> None:
        try:
            send_mail(subject, body, None, [to], fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentSendError("the mail server refused the recipient") from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:  # 5xx: permanent; 4xx: try again later
                raise PermanentSendError(f"the mail server answered {error.smtp_code}") from error
            raise


class ConsoleSMSSender:
    """Stands in for an SMS gateway: logs what it would send, never the full number."""

    def send(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(to), mask_secrets(text))


# Links carry tokens (status pages, re-rate and unsubscribe links) and tracking codes open a
# case's status page: neither may reach a log, where many more people can read them.
_LINK = re.compile(r"https?://\S+|/[\w\-./]*/")
_CODE = re.compile(r"\b[2-9A-Z]{4}-?[2-9A-Z]{4}-?[2-9A-Z]{2}\b")


def mask_secrets(text: str) -> str:
    """The message text for logs: links and tracking-code-like words replaced."""
    return _CODE.sub("[code]", _LINK.sub("[link]", text))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET and lose the message: fail instead."""

    def redirect_request(self, *args, **kwargs):
        return None


class HttpSMSSender:
    """Posts ``{"to": phone, "text": text}`` as JSON to ``CIVICDESK_SMS_GATEWAY_URL``, with
    ``Authorization: Bearer CIVICDESK_SMS_GATEWAY_TOKEN`` if that is set. Any 2xx answer is
    success; 3xx and 4xx (but 408, 425, 429) are permanent errors; 5xx, 408, 425, 429, no
    connection or no answer within ``CIVICDESK_SMS_GATEWAY_TIMEOUT`` seconds are temporary.
    The contract is in SMS_GATEWAY.md."""

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
        try:
            with opener.open(request, timeout=self.timeout) as response:  # HTTPError unless 2xx
                response.read()
        except urllib.error.HTTPError as error:
            if error.code < 500 and error.code not in TEMPORARY_HTTP_CODES:
                raise PermanentSendError(f"the SMS gateway answered {error.code}") from error
            raise


def get_sender(channel: str = Channel.EMAIL) -> Sender | SMSSender:
    name, default = SENDER_SETTINGS[Channel(channel)]
    return import_string(getattr(settings, name, default))()


def send(channel: str, to: str, subject: str, body: str) -> None:
    """Send one message now through the sender of its channel; errors are raised."""
    sender = get_sender(channel)
    if Channel(channel) == Channel.SMS:
        sender.send(to, body)
    elif Channel(channel) == Channel.WECHAT and not wechat_configured():
        # Queued while it was configured; trying again cannot help until it is.
        raise PermanentSendError(
            "sending to WeChat is not configured (CIVICDESK_WECHAT_APP_ID, "
            "CIVICDESK_WECHAT_APP_SECRET)"
        )
    else:
        sender.send(to, subject, body)
