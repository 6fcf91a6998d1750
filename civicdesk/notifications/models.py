"""The outbox of messages to people (one row per message to one address), what each person
asked not to receive, and the append-only history of every delivery step."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.core.history import AppendOnly
from civicdesk.notifications.senders import mask_address


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class Kind(models.TextChoices):
    """What a person can stop, one kind at a time, from the link in every message."""

    REPORTS = "reports", _("News about my reports")
    FOLLOWUPS = "followups", _("Questions whether my problem was solved")
    COMMITMENTS = "commitments", _("News about commitments I subscribed to")
    AREA_ALERTS = "area_alerts", _("Alerts about new reports in an area I chose")


class Event(models.TextChoices):
    """What happened; each event has a message template per language (templates/notifications/
    <event>/<language>.txt)."""

    CASE_RECEIVED = "case_received", _("Report received (its tracking code)")
    CASE_ANSWERED = "case_answered", _("Report answered")
    RECTIFICATION_ANSWERED = "rectification_answered", _("Bad rating answered")
    FOLLOWUP_REQUEST = "followup_request", _("Satisfaction follow-up")
    MEASURE_PROGRESS = "measure_progress", _("Progress on a reported problem")
    SUBSCRIPTION_CONFIRM = "subscription_confirm", _("Subscription confirmation")
    SUBSCRIPTION_NEWS = "subscription_news", _("News about a subscribed problem")
    MEASURE_REMINDER = "measure_reminder", _("Measure due soon (staff)")
    MEASURE_ESCALATION = "measure_escalation", _("Measure overdue (staff)")
    AREA_ALERT_CONFIRM = "area_alert_confirm", _("Area alert confirmation")
    AREA_ALERT_NEWS = "area_alert_news", _("New reports in an area")


# The kind a person stops to stop an event. None: a duty message to a staff member about their
# own work (reminders, escalations), which supervision relies on and which carries no opt-out.
EVENT_KINDS: dict[str, str | None] = {
    Event.CASE_RECEIVED: Kind.REPORTS,
    Event.CASE_ANSWERED: Kind.REPORTS,
    Event.RECTIFICATION_ANSWERED: Kind.REPORTS,
    Event.MEASURE_PROGRESS: Kind.REPORTS,
    Event.FOLLOWUP_REQUEST: Kind.FOLLOWUPS,
    Event.SUBSCRIPTION_CONFIRM: Kind.COMMITMENTS,
    Event.SUBSCRIPTION_NEWS: Kind.COMMITMENTS,
    Event.MEASURE_REMINDER: None,
    Event.MEASURE_ESCALATION: None,
    Event.AREA_ALERT_CONFIRM: Kind.AREA_ALERTS,
    Event.AREA_ALERT_NEWS: Kind.AREA_ALERTS,
}


def events_of(kinds: set[str]) -> list[str]:
    return [event for event, kind in EVENT_KINDS.items() if kind in kinds]


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# Allowed status changes: a failed attempt with tries left stays pending; staff send a failed
# message again; sent and cancelled are final (an opt-out must stick).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.PENDING, Status.SENT, Status.FAILED, Status.CANCELLED}),
    Status.FAILED: frozenset({Status.PENDING}),
    Status.SENT: frozenset(),
    Status.CANCELLED: frozenset(),
}


def may_change(source: str, target: str) -> bool:
    return target in TRANSITIONS[source]


class Preference(models.Model):
    """What the person at one address does not want: everything, or some kinds of message.

    Keyed by the normalised address (e-mail lowercased, phone number digits only), created
    with the first message to it, so the unsubscribe link can carry just a signed id."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    stop_all = models.BooleanField(_("stop every message"), default=False)
    stopped_kinds = models.JSONField(_("stopped kinds"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="notifications_one_preference_per_address"
            )
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"

    @property
    def masked_address(self) -> str:
        return mask_address(self.channel, self.address)

    def stops(self, kind: str | None) -> bool:
        """Whether a message of this kind must not go to this address."""
        if kind is None:
            return False
        return self.stop_all or kind in self.stopped_kinds


class Outbox(models.Model):
    """One message to one address, written in the transaction of the event that caused it and
    sent by the `deliver_outbox` task. `dedupe_key` keeps one event from queuing the same
    message twice."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    preference = models.ForeignKey(
        Preference, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notifications_due_idx")]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return f"{self.pk} {self.event} {self.channel} {self.status}"

    @property
    def kind(self) -> str | None:
        return EVENT_KINDS.get(self.event)

    @property
    def masked_recipient(self) -> str:
        return mask_address(self.channel, self.recipient)


class Action(models.TextChoices):
    SENT = "sent", _("Sent")
    RETRY = "retry", _("Attempt failed, will retry")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    RESENT = "resent", _("Sent again by staff")


class OutboxEvent(AppendOnly):
    """One delivery step of a message. Append-only: never edited or deleted."""

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    attempt = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("delivery step")
        verbose_name_plural = _("delivery steps")

    def __str__(self) -> str:
        return f"{self.outbox_id} {self.action}"
