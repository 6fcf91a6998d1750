"""Send what is due in the outbox, safely with several workers at once.

Nothing is sent while CIVICDESK_SITE_URL is missing: every message carries links (status pages,
follow-up and unsubscribe links), and a relative link cannot be tapped. The messages wait, and
the worker logs an error on each run; once the address is set, the links of messages queued
meanwhile are completed as they go out.

A worker claims a batch of due rows in one short transaction (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so workers take different rows; SQLite serialises writers anyway): it
counts the attempt and moves the row's next attempt a lease ahead, so no other worker sees it
as due. Each take is also a compare-and-set on the attempt count, so two workers that read the
same row can never both take it. Then it sends outside any transaction and records the
outcome: sent; a temporary error retries with exponential backoff until
``CIVICDESK_NOTIFICATION_MAX_ATTEMPTS``, then fails; a permanent error fails at once. A worker
that dies mid-batch leaves its rows to be taken again once the lease runs out.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone

from civicdesk.notifications import senders
from civicdesk.notifications.models import Action, Channel, Outbox, OutboxEvent, Status
from civicdesk.notifications.services import OPTED_OUT, site_address

logger = logging.getLogger(__name__)

BATCH = 20
# Longer than a batch can take (20 messages × a 10 s gateway timeout), so no row is taken
# twice while its first worker still works on it.
LEASE = timedelta(minutes=10)
# Backoff doubles from CIVICDESK_NOTIFICATION_RETRY_SECONDS but never waits longer than this.
MAX_DELAY = timedelta(hours=6)
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_SECONDS = 60


def max_attempts() -> int:
    return max(
        1, int(getattr(settings, "CIVICDESK_NOTIFICATION_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    )


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: base, 2 × base, 4 × base, …"""
    base = int(getattr(settings, "CIVICDESK_NOTIFICATION_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
    seconds = base * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def describe_error(error: BaseException, row: Outbox) -> str:
    """The error for the outbox and the log, with the recipient's address masked out."""
    text = f"{type(error).__name__}: {error}"
    masked = senders.mask_address(row.channel, row.recipient)
    text = re.sub(re.escape(row.recipient), masked, text, flags=re.IGNORECASE)
    if row.channel == Channel.SMS:
        # Any long run of digits may be the number written another way.
        text = re.sub(r"\+?\d[\d\s-]{5,}\d", lambda m: senders.mask_phone(m.group()), text)
    return text[:500]


SITE_URL_MISSING = (
    "CIVICDESK_SITE_URL is not set to the site's public address (https://…): the links in "
    "messages could not be opened, so nothing is sent; %d message(s) wait for it"
)
# A path where a link stands in a message (after a space, a line break, a colon or Chinese
# text), as site_url() writes it without a site address; not part of a longer address or
# number. URL characters are ASCII: Chinese text right after a link is not part of it.
_RELATIVE_LINK = re.compile(
    r"(?<![A-Za-z0-9_/.:@-])/[A-Za-z0-9_.~%-]+[A-Za-z0-9_.~%/?=&+#:@!$*,;-]*"
)
_TRAILING = ".,;:!?"  # sentence punctuation after a link


def absolute_links(text: str, site: str) -> str:
    """``text`` with the site's own relative links made absolute; any other slash is left."""

    def complete(match: re.Match) -> str:
        path = match.group()
        link = path.rstrip(_TRAILING)
        try:
            resolve(link.split("?", 1)[0].split("#", 1)[0])
        except Resolver404:
            return path
        return site + link + path[len(link) :]

    return _RELATIVE_LINK.sub(complete, text)


def _due(now: datetime):
    rows = Outbox.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        # Only the outbox rows: PostgreSQL refuses to lock the nullable side of a join.
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return rows.order_by("next_attempt_at", "pk")


def _take(row: Outbox, lease_until: datetime) -> bool:
    """Count an attempt on a row read as due, unless another worker took it meanwhile."""
    taken = Outbox.objects.filter(pk=row.pk, status=Status.PENDING, attempts=row.attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=lease_until
    )
    if taken:
        row.attempts += 1
        row.next_attempt_at = lease_until
    return bool(taken)


def claim(*, limit: int = BATCH, now: datetime | None = None) -> list[Outbox]:
    """Take up to `limit` due rows for this worker."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(_due(now).select_related("preference")[:limit])
        return [row for row in due if _take(row, now + LEASE)]


def _finish(row: Outbox, action: str, **fields) -> bool:
    """Record the outcome of the attempt this worker made; False if the row was taken again
    meanwhile (its lease ran out), in which case the other worker records its own outcome."""
    with transaction.atomic():
        done = Outbox.objects.filter(
            pk=row.pk, status=Status.PENDING, attempts=row.attempts
        ).update(**fields)
        if done:
            for name, value in fields.items():
                setattr(row, name, value)
            note = fields.get("last_error", "")
            if action == Action.CANCELLED:
                note = OPTED_OUT
            OutboxEvent.objects.create(outbox=row, action=action, attempt=row.attempts, note=note)
    return bool(done)


def deliver(row: Outbox) -> str:
    """Try one claimed row once; returns its status afterwards."""
    site = site_address()
    if site is None:  # deliver_due() checks first; this keeps any other caller honest
        raise ImproperlyConfigured(SITE_URL_MISSING % 1)
    shown = senders.mask_address(row.channel, row.recipient)
    if row.preference is not None and row.preference.stops(row.kind):
        # The person opted out after the message was queued.
        _finish(row, Action.CANCELLED, status=Status.CANCELLED)
        logger.info("notification %s cancelled: the address opted out", row.pk)
        return row.status
    try:
        senders.send(row.channel, row.recipient, row.subject, absolute_links(row.body, site))
    except Exception as error:
        reason = describe_error(error, row)
        permanent = isinstance(error, senders.PermanentSendError)
        if permanent or row.attempts >= max_attempts():
            _finish(row, Action.FAILED, status=Status.FAILED, last_error=reason)
            logger.error(
                "notification %s (%s) to %s failed after %d attempt(s): %s",
                row.pk, row.channel, shown, row.attempts, reason,
            )  # fmt: skip
        else:
            retry_at = timezone.now() + retry_delay(row.attempts)
            _finish(row, Action.RETRY, next_attempt_at=retry_at, last_error=reason)
            logger.warning(
                "notification %s (%s) to %s: attempt %d failed, retrying at %s: %s",
                row.pk, row.channel, shown, row.attempts, retry_at.isoformat(), reason,
            )  # fmt: skip
        return row.status
    _finish(row, Action.SENT, status=Status.SENT, sent_at=timezone.now(), last_error="")
    logger.info("notification %s (%s, %s) sent to %s", row.pk, row.event, row.channel, shown)
    return row.status


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)  # status: messages that ended in it
    # Messages left waiting because CIVICDESK_SITE_URL is missing (nothing was sent).
    waiting_for_site_url: int = 0


def deliver_due() -> Report:
    """Send everything due now, batch by batch. Rows that fail now are due only later, so the
    loop ends."""
    report = Report()
    if site_address() is None:
        waiting = Outbox.objects.filter(status=Status.PENDING).count()
        logger.error(SITE_URL_MISSING, waiting)
        report.waiting_for_site_url = waiting
        return report
    while batch := claim():
        for row in batch:
            status = str(deliver(row))
            report.counts[status] = report.counts.get(status, 0) + 1
    return report
