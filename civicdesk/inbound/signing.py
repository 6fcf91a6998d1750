"""Signed webhook requests: HMAC-SHA256 over timestamp, nonce and body, a replay window, and
each nonce accepted once within it (kept in the database, so every web worker sees it)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.inbound.models import SeenNonce
from civicdesk.inbound.services import InboundError

_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check_fresh(timestamp: str, max_age: int) -> None:
    """Refuse a timestamp that is not a number of seconds within ``max_age`` of now."""
    try:
        age = abs(time.time() - int(timestamp))
    except (TypeError, ValueError):
        raise InboundError(
            _("The timestamp is missing or not a number."), code="timestamp"
        ) from None
    if age > max_age:
        raise InboundError(
            _("The request is older than %(seconds)d seconds (or its clock is wrong).")
            % {"seconds": max_age},
            code="stale",
        )


def use_nonce(channel: str, nonce: str, max_age: int) -> None:
    """Accept a nonce once within the replay window; forget the ones older than it."""
    now = timezone.now()
    try:
        with transaction.atomic():
            SeenNonce.objects.create(channel=channel, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise InboundError(
            _("This request was already received (replayed)."), code="replay"
        ) from None
    # Twice the window: a nonce must outlive every timestamp that could still carry it.
    SeenNonce.objects.filter(seen_at__lt=now - timedelta(seconds=2 * max_age)).delete()


def verify(
    *, channel: str, secret: str, timestamp: str, nonce: str, given: str, body: bytes, max_age: int
) -> None:
    """Check a signed request; raises InboundError (translated) naming what is wrong."""
    if not _NONCE.fullmatch(nonce or ""):
        raise InboundError(_("The nonce is missing or malformed."), code="nonce")
    expected = signature(secret, timestamp or "", nonce, body)
    if not hmac.compare_digest(expected, (given or "").lower()):
        raise InboundError(_("The signature does not match."), code="signature")
    check_fresh(timestamp, max_age)
    use_nonce(channel, nonce, max_age)
