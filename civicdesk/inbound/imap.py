"""`civicdesk imap_poll`: reads the unread mail of an IMAP mailbox (CIVICDESK_IMAP_URL,
``imaps://user:password@host[:port]/MAILBOX``) for districts whose mail lives elsewhere.

A mail is marked read once it is stored, dropped (a robot's) or refused (too large, too many
attachments, …: recorded with the reason); a temporary failure leaves it unread for the next
run. A mail over CIVICDESK_MAIL_MAX_BYTES is refused by its size, without downloading it.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from civicdesk.inbound.mail import CHANNEL, MailRefused, handle_mail
from civicdesk.inbound.models import Outcome
from civicdesk.inbound.services import Flooding, Incoming, record

logger = logging.getLogger(__name__)


@dataclass
class PollReport:
    counts: dict[str, int] = field(default_factory=dict)  # outcome: mails

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def connect(url: str) -> tuple[imaplib.IMAP4, str]:
    """A logged-in IMAP connection for the URL, and the mailbox to read."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise ImproperlyConfigured(
            "CIVICDESK_IMAP_URL looks like imaps://user:password@host[:port]/MAILBOX."
        )
    secure = parts.scheme == "imaps"
    port = parts.port or (993 if secure else 143)
    client = (imaplib.IMAP4_SSL if secure else imaplib.IMAP4)(parts.hostname, port, timeout=60)
    client.login(unquote(parts.username), unquote(parts.password or ""))
    return client, unquote(parts.path.lstrip("/")) or "INBOX"


def _size(data) -> int:
    match = re.search(rb"RFC822\.SIZE (\d+)", b" ".join(d for d in data if isinstance(d, bytes)))
    return int(match.group(1)) if match else 0


def poll(url: str | None = None) -> PollReport:
    """Take in every unread mail of the mailbox once."""
    client, mailbox = connect(url or settings.CIVICDESK_IMAP_URL)
    report = PollReport()
    try:
        status, _data = client.select(_quoted(mailbox))
        if status != "OK":
            raise ImproperlyConfigured(f"The IMAP mailbox {mailbox!r} cannot be opened.")
        _status, found = client.uid("SEARCH", None, "UNSEEN")
        for uid in (found[0] or b"").split():
            outcome = _take(client, uid)
            if outcome is not None:
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            report.add(outcome or "left unread")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return report


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _take(client: imaplib.IMAP4, uid: bytes) -> str | None:
    """Store one mail; its outcome, or None when it should be tried again later."""
    _status, data = client.uid("FETCH", uid, "(RFC822.SIZE)")
    if _size([item if isinstance(item, bytes) else item[0] for item in data if item]) > (
        settings.CIVICDESK_MAIL_MAX_BYTES
    ):
        record(Incoming(CHANNEL, f"imap-too-large:{uid.decode()}", "", ""), Outcome.REFUSED,
               note="too_large")  # fmt: skip
        return Outcome.REFUSED
    _status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((item[1] for item in data if isinstance(item, tuple)), None)
    if raw is None:
        return None
    try:
        return handle_mail(raw).outcome
    except MailRefused as refused:
        logger.info("mail %s refused: %s", uid.decode(), refused.code)
        return Outcome.REFUSED
    except Flooding:
        return Outcome.REFUSED
    except Exception:
        logger.exception("mail %s not stored; it stays unread for the next run", uid.decode())
        return None
