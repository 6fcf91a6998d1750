"""One-time codes: the applicant proves they hold the contact they applied with.

A six-digit code is sent to the application's mobile phone (else its e-mail), is valid for
CODE_MINUTES, may be tried MAX_ATTEMPTS times, and only its keyed digest is stored. At most
CODES_PER_QUARTER codes per application in 15 minutes and CLIENT_RATE requests per client, so
nobody floods an applicant's phone.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.applications.messages import masked_contact, send_code
from civicdesk.applications.models import Application, OneTimeCode
from civicdesk.core.ratelimit import over_limit

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
CODES_PER_QUARTER = 3
CLIENT_RATE = "10/h"


class CodeError(Exception):
    """The code cannot be sent or was not right; the message is translated."""


def _digest(application: Application, code: str) -> str:
    key = f"{settings.SECRET_KEY}:hall-code:{application.pk}".encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def code_request(application: Application, *, request: HttpRequest | None) -> str:
    """Send a fresh code; returns the masked address it went to."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(
        application=application, created_at__gte=now - timedelta(minutes=15)
    ).count()
    if recent >= CODES_PER_QUARTER:
        raise CodeError(
            _("%(count)d codes were sent in the last 15 minutes. Please wait, then ask again.")
            % {"count": recent}
        )
    if request is not None and over_limit(request, "hall-code", CLIENT_RATE):
        raise CodeError(_("Too many codes were asked for from your connection. Try later."))
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        row = OneTimeCode.objects.create(
            application=application,
            digest=_digest(application, code),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
        try:
            send_code(application, code, CODE_MINUTES)
        except Exception:
            row.delete()
            raise CodeError(
                _("The code could not be sent just now. Please try again in a few minutes.")
            ) from None
    return masked_contact(application)


def code_verify(application: Application, raw: str) -> None:
    """Accept the newest live code, once; CodeError otherwise (each try is counted)."""
    now = timezone.now()
    row = (
        OneTimeCode.objects.filter(application=application, used_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None or row.expires_at <= now:
        raise CodeError(_("The code has expired. Ask for a new one."))
    if row.attempts >= MAX_ATTEMPTS:
        raise CodeError(_("The code was typed wrongly too often. Ask for a new one."))
    OneTimeCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
    code = "".join(ch for ch in (raw or "") if ch.isdigit())
    if not hmac.compare_digest(row.digest, _digest(application, code)):
        left = MAX_ATTEMPTS - row.attempts - 1
        raise CodeError(
            _("The code is not right. %(left)d tries left.") % {"left": left}
            if left
            else _("The code was typed wrongly too often. Ask for a new one.")
        )
    OneTimeCode.objects.filter(pk=row.pk).update(used_at=now)
