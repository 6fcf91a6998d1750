"""`civicdesk smtpd`: an SMTP server (aiosmtpd) that takes mail for the intake addresses.

Each mail is stored before the DATA command is answered, so "250" means it is safe; a
temporary failure (the database down) answers 451 and the sending server tries again later,
and the same Message-ID is never stored twice. A refused mail gets a 5xx answer whose text
says why; the sending server puts it in the bounce its user receives. SMTP answers are
ASCII, so they are written in English.

With a certificate and its key (CIVICDESK_SMTPD_TLS_CERT, CIVICDESK_SMTPD_TLS_KEY) the server
offers STARTTLS, so sending servers can upgrade the session and the mail travels encrypted;
CIVICDESK_SMTPD_REQUIRE_STARTTLS refuses mail sent without it (only where every sender can
do it: a public MX must also take plain mail, RFC 3207).
"""

from __future__ import annotations

import asyncio
import logging
import ssl

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections
from django.utils import translation

from civicdesk.inbound.mail import MailRefused, handle_mail
from civicdesk.inbound.services import Flooding

logger = logging.getLogger(__name__)


class IntakeHandler:
    def __init__(self, addresses: list[str]) -> None:
        self.addresses = {address.strip().lower() for address in addresses if address.strip()}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.strip().lower() not in self.addresses:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        raw = envelope.original_content or envelope.content
        return await loop.run_in_executor(None, self.store, raw, envelope.mail_from)

    def store(self, raw: bytes, mail_from: str | None) -> str:
        close_old_connections()
        try:
            with translation.override("en"):
                handled = handle_mail(raw, envelope_sender=mail_from)
        except MailRefused as refused:
            return f"{refused.smtp_code} 5.7.0 {_ascii(refused.message)}"
        except Flooding as flooding:
            return f"450 4.7.1 {_ascii(flooding.message)}"
        except Exception:
            logger.exception("mail not stored; the sender is asked to try again")
            return "451 4.3.0 Temporary failure, please try again later"
        finally:
            # The executor's threads come and go: none may keep a database connection open.
            connections.close_all()
        logger.info("mail taken in: %s", handled.outcome)
        return "250 2.0.0 Message accepted"


def _ascii(text: str) -> str:
    return " ".join(text.encode("ascii", "replace").decode().split())[:400]


def tls_context() -> ssl.SSLContext | None:
    """The server's TLS context for STARTTLS, or None when no certificate is configured.
    Raises ImproperlyConfigured, naming the setting, when the certificate or key is missing
    or cannot be read."""
    cert = settings.CIVICDESK_SMTPD_TLS_CERT.strip()
    key = settings.CIVICDESK_SMTPD_TLS_KEY.strip()
    if not cert and not key:
        if settings.CIVICDESK_SMTPD_REQUIRE_STARTTLS:
            raise ImproperlyConfigured(
                "CIVICDESK_SMTPD_REQUIRE_STARTTLS needs CIVICDESK_SMTPD_TLS_CERT and "
                "CIVICDESK_SMTPD_TLS_KEY (the certificate chain and its private key, PEM)."
            )
        return None
    if not cert or not key:
        missing = "CIVICDESK_SMTPD_TLS_KEY" if cert else "CIVICDESK_SMTPD_TLS_CERT"
        raise ImproperlyConfigured(
            f"STARTTLS needs both CIVICDESK_SMTPD_TLS_CERT and CIVICDESK_SMTPD_TLS_KEY; "
            f"{missing} is not set."
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise ImproperlyConfigured(
            f"CIVICDESK_SMTPD_TLS_CERT / CIVICDESK_SMTPD_TLS_KEY cannot be used: {error}"
        ) from None
    return context


def controller(host: str, port: int) -> Controller:
    """The server, not yet started (``.start()`` runs it in a thread, ``.stop()`` ends it)."""
    context = tls_context()
    # aiosmtpd logs every command at INFO, senders and recipients included: logs carry no
    # contact data, so only its warnings are kept.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    return Controller(
        IntakeHandler(settings.CIVICDESK_MAIL_INTAKE_ADDRESSES),
        hostname=host,
        port=port,
        data_size_limit=settings.CIVICDESK_MAIL_MAX_BYTES,
        tls_context=context,
        require_starttls=context is not None and settings.CIVICDESK_SMTPD_REQUIRE_STARTTLS,
    )
