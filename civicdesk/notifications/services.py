"""Queue messages and change their state; delivery itself is in delivery.py.

Callers queue inside their own transaction: the outbox row commits with the change that caused
it (a rolled-back action sends nothing), and a delivery run is enqueued once it commits.
Nothing is queued for a reporter who did not agree to be contacted; a message to an address
that stopped its kind is recorded as cancelled and never sent.
"""

import contextlib
import hashlib
import logging
import re
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.core.templatetags.civic import local_name
from civicdesk.notifications.models import (
    EVENT_KINDS,
    Action,
    Channel,
    Event,
    Kind,
    Outbox,
    OutboxEvent,
    Preference,
    Status,
    events_of,
    may_change,
)
from civicdesk.notifications.rendering import pick_language, render
from civicdesk.notifications.senders import mask_openid, wechat_configured

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "civicdesk.notifications.unsubscribe"
OPTED_OUT = "opted out"
_suppressed: ContextVar[bool] = ContextVar("civicdesk_notifications_suppressed", default=False)


class NotificationError(Exception):
    """A change that is not allowed; the message is translated."""


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Queue nothing inside this block (the demo's invented history must notify nobody)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def site_address() -> str | None:
    """CIVICDESK_SITE_URL without its final slash; None unless it is an absolute http(s)
    address, without which the links in messages could not be opened (delivery waits)."""
    address = getattr(settings, "CIVICDESK_SITE_URL", "").strip().rstrip("/")
    parts = urlsplit(address)
    return address if parts.scheme in ("http", "https") and parts.netloc else None


def site_url(path: str) -> str:
    """The link to ``path`` for a message. Without a site address the path alone: the message
    is queued all the same, and delivery completes its links once the address is set."""
    return getattr(settings, "CIVICDESK_SITE_URL", "").strip().rstrip("/") + path


def normalise(channel: str, address: str) -> str:
    """The key a person is known by: e-mail lowercased, a phone number's digits only, a
    WeChat openid as it is (it is case-sensitive)."""
    if channel == Channel.SMS:
        return re.sub(r"\D", "", address)
    if channel == Channel.WECHAT:
        return address.strip()
    return address.strip().lower()


# --- Unsubscribe links -------------------------------------------------------------------


def unsubscribe_token(preference: Preference) -> str:
    """A signed, non-expiring token naming the preference (old messages' links keep working);
    it carries the row's id only, never the address."""
    return signing.dumps(preference.pk, salt=UNSUBSCRIBE_SALT)


def preference_for_token(token: str) -> Preference | None:
    """The preference a token names, or None for a forged, altered or stale token."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Preference.objects.filter(pk=pk).first()


def unsubscribe_url(preference: Preference) -> str:
    return site_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(preference)]))


# --- Queuing -----------------------------------------------------------------------------


def _enqueue_delivery() -> None:
    from civicdesk.notifications.tasks import deliver_outbox

    deliver_outbox.enqueue()


def deliver_after_commit() -> None:
    """Enqueue one delivery run when the current transaction commits (the schedule is the
    safety net if no worker takes it now). Once per transaction, not once per message."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        open_savepoints = set(connection.savepoint_ids)
        for entry in connection.run_on_commit:
            sids, callback = entry[0], entry[1]
            # Already registered where a rollback of ours would roll it back too.
            if callback is _enqueue_delivery and set(sids) <= open_savepoints:
                return
    transaction.on_commit(_enqueue_delivery, robust=True)


def _dedupe_key(event: str, occurrence: str, channel: str, key: str) -> str:
    # A digest, not the address: the key is unique-indexed and shown nowhere.
    digest = hashlib.sha256(f"{channel}:{key}".encode()).hexdigest()[:24]
    return f"{event}:{occurrence}:{channel}:{digest}"[:200]


def _record(row: Outbox, action: str, *, note: str = "", actor: User | None = None) -> None:
    OutboxEvent.objects.create(
        outbox=row, action=action, attempt=row.attempts, note=note[:500], actor=actor
    )


def queue(
    *,
    event: str,
    channel: str,
    address: str,
    language: str,
    context: dict,
    occurrence: str,
) -> Outbox | None:
    """Queue the message of `event` to one address, rendered in `language` (else the site's).

    `occurrence` names the happening (e.g. ``case:12:answer:…``): the same occurrence never
    queues the same message twice. Returns the row (pending, or cancelled when the address
    stopped this kind of message), or None when nothing was queued."""
    if _suppressed.get():
        return None
    event, channel = Event(event), Channel(channel)
    address = address.strip()
    key = normalise(channel, address)
    if not key:
        return None
    dedupe_key = _dedupe_key(event, occurrence, channel, key)
    existing = Outbox.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    kind = EVENT_KINDS[event]
    preference = None
    if kind is not None:
        preference, _created = Preference.objects.get_or_create(channel=channel, address=key)
    row = Outbox(
        channel=channel,
        recipient=address,
        preference=preference,
        event=event,
        language=pick_language(language),
        dedupe_key=dedupe_key,
    )
    if preference is not None and preference.stops(kind):
        # Recorded, so staff can tell why nothing went out; the text is not kept.
        row.status = Status.CANCELLED
    else:
        rendered = render(
            event,
            row.language,
            context,
            sms=channel == Channel.SMS,
            unsubscribe_url=unsubscribe_url(preference) if preference is not None else "",
        )
        row.subject, row.body = rendered.subject, rendered.body
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # The same message was queued meanwhile by another transaction.
        return Outbox.objects.get(dedupe_key=dedupe_key)
    if row.status == Status.CANCELLED:
        _record(row, Action.CANCELLED, note=OPTED_OUT)
        logger.info("notification %s (%s) not sent: the address opted out", row.pk, event)
    else:
        deliver_after_commit()
    return row


def wechat_openid(submission) -> str:
    """The WeChat user who sent this report through the official account, if one did."""
    if submission.channel.code != Channel.WECHAT:
        return ""
    return str((submission.source_details or {}).get("openid", "")).strip()


def reporter_address(submission) -> tuple[str, str] | None:
    """Where a reporter is reached: by WeChat if they wrote through the official account (and
    sending to WeChat is configured), else e-mail if they left one, else SMS; None when they
    left none of these, did not agree to be contacted, or wrote a message imported from a
    source whose authors may not be contacted."""
    if not submission.consent_contact:
        return None
    if not submission.may_answer_author():
        # An imported message's author wrote elsewhere, not to the office (intake.Source).
        return None
    openid = wechat_openid(submission)
    if openid:
        if wechat_configured():
            return Channel.WECHAT, openid
        logger.warning(
            "a WeChat reporter (%s) is not sent messages: CIVICDESK_WECHAT_APP_ID and "
            "CIVICDESK_WECHAT_APP_SECRET are not set",
            mask_openid(openid),
        )
    email, phone = submission.contact_email.strip(), submission.contact_phone.strip()
    if email:
        return Channel.EMAIL, email
    if phone:
        return Channel.SMS, phone
    return None


def queue_for_reporter(*, submission, event: str, context: dict, occurrence: str) -> Outbox | None:
    """Queue a message to the person who made `submission`, in the submission's language."""
    reached = reporter_address(submission)
    if reached is None:
        if not submission.consent_contact:
            logger.info("notification (%s) not queued: no consent to be contacted", event)
        return None
    channel, address = reached
    return queue(
        event=event,
        channel=channel,
        address=address,
        language=submission.language,
        context=context,
        occurrence=occurrence,
    )


def notify_case_answered(case) -> Outbox | None:
    """Tell the reporter that their case has an answer, with the link to its status page.

    The rectification case of a bad window rating tells the rater instead that they may rate
    the visit again, with their re-rate link (unless they already did)."""
    context = {
        "code": case.tracking_code,
        "status_url": site_url(reverse("public:status", args=[case.tracking_code])),
    }
    event = Event.CASE_ANSWERED
    rating = getattr(case, "rating", None)  # reverse one-to-one of ratings.Rating.case
    if rating is not None and rating.rerate_token and getattr(rating, "rerating", None) is None:
        event = Event.RECTIFICATION_ANSWERED
        # Called when rendered, in the rater's language: the window's name in their script.
        context["window"] = lambda: local_name(rating.window)
        context["rerate_url"] = site_url(
            reverse("ratings:rerate", kwargs={"token": rating.rerate_token})
        )
    return queue_for_reporter(
        submission=case.submission,
        event=event,
        context=context,
        occurrence=f"case:{case.pk}:answer:{case.answered_at.isoformat()}",
    )


# --- Preferences and staff actions -------------------------------------------------------


@transaction.atomic
def preference_update(*, preference: Preference, stop_all: bool, kinds: list[str]) -> Preference:
    """Save what the person wants stopped, and cancel what is still waiting for them."""
    unknown = set(kinds) - set(Kind.values)
    if unknown:
        raise NotificationError(_("Choose kinds of message from the list."))
    preference = Preference.objects.select_for_update().get(pk=preference.pk)
    preference.stop_all = stop_all
    preference.stopped_kinds = sorted(set(kinds))
    preference.updated_at = timezone.now()
    preference.save(update_fields=["stop_all", "stopped_kinds", "updated_at"])
    waiting = preference.messages.filter(status=Status.PENDING)
    if not stop_all:
        waiting = waiting.filter(event__in=events_of(set(kinds)))
    for row in waiting.select_for_update():
        row.status = Status.CANCELLED
        row.save(update_fields=["status"])
        _record(row, Action.CANCELLED, note=OPTED_OUT)
    return preference


@transaction.atomic
def outbox_resend(*, row: Outbox, actor: User) -> Outbox:
    """Staff send a failed message again, with a fresh count of attempts."""
    row = Outbox.objects.select_for_update().get(pk=row.pk)
    if row.status != Status.FAILED or not may_change(row.status, Status.PENDING):
        raise NotificationError(_("Only failed messages can be sent again."))
    row.status = Status.PENDING
    row.attempts = 0
    row.next_attempt_at = timezone.now()
    row.last_error = ""
    row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    _record(row, Action.RESENT, actor=actor)
    deliver_after_commit()
    return row


# --- Retention ---------------------------------------------------------------------------

# Final statuses: nothing will send these again on its own. A failed message may still be sent
# again by staff, but not once it is past the retention period.
DONE_STATUSES = (Status.SENT, Status.FAILED, Status.CANCELLED)
RETENTION_BATCH = 1000


def outbox_retention_days() -> int:
    return int(getattr(settings, "CIVICDESK_OUTBOX_RETENTION_DAYS", 180))


def outbox_remove_expired(*, now=None) -> int:
    """Delete sent, failed and cancelled messages (with their delivery steps) whose last
    activity is older than CIVICDESK_OUTBOX_RETENTION_DAYS: they hold addresses and texts.
    Pending messages are never deleted, however old; neither are the people's preferences (an
    opt-out must stick). Returns how many messages were deleted; a second run deletes none."""
    days = outbox_retention_days()
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = (
        Outbox.objects.filter(status__in=DONE_STATUSES, created_at__lt=cutoff)
        .exclude(sent_at__gte=cutoff)
        .exclude(events__created_at__gte=cutoff)
        .order_by("pk")
    )
    count = 0
    while True:
        with transaction.atomic():
            # Locked, and the conditions checked again under the lock: a message staff just
            # sent again (pending now) is skipped; rows locked elsewhere wait for the next run.
            pks = list(
                expired.select_for_update(skip_locked=True).values_list("pk", flat=True)[
                    :RETENTION_BATCH
                ]
            )
            if not pks:
                break
            OutboxEvent.objects.filter(outbox_id__in=pks).delete()
            Outbox.objects.filter(pk__in=pks).delete()
        count += len(pks)
        if len(pks) < RETENTION_BATCH:
            break
    if count:
        logger.info("outbox retention: deleted %d messages older than %d days", count, days)
    return count
