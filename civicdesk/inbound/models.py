"""What arrived by itself on the inbound channels (e-mail, SMS, WeChat) and what became of it.

Each message is recorded once per channel and message id, so a retry of the sender (an SMTP
server that did not hear our answer, the SMS gateway after a timeout, WeChat's three tries
within 15 seconds) is recognised and answered as the first time, without a second case.
"""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    CASE = "case", _("New report")
    CONFIDENTIAL = "confidential", _("Confidential report")
    FOLLOW_UP = "follow_up", _("Added to the reporter's case")
    QUERY = "query", _("Status asked")
    STOPPED = "stopped", _("Messages stopped")
    DROPPED = "dropped", _("Automatic message, dropped")
    REFUSED = "refused", _("Refused")
    WAITING = "waiting", _("Part of a longer message")


def sender_key(address: str) -> str:
    """What a sender is known by in these records: a digest, never the address itself."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:40]


class InboundMessage(models.Model):
    channel = models.CharField(_("channel"), max_length=20)
    # The channel's own id of the message (Message-ID, the gateway's id, WeChat's MsgId).
    external_id = models.CharField(max_length=200)
    sender = models.CharField(max_length=40, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why a message was refused or dropped, for staff (no personal data).
    note = models.CharField(_("note"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="inbound_one_record_per_message"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome}"


class SmsPart(models.Model):
    """One part of a long SMS, kept until every part arrived (or the wait ran out)."""

    phone = models.CharField(max_length=40)
    reference = models.CharField(max_length=40)
    index = models.PositiveSmallIntegerField()
    count = models.PositiveSmallIntegerField()
    text = models.TextField()
    gateway_id = models.CharField(max_length=120)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "reference", "index"], name="inbound_one_sms_part"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.index}/{self.count}"


class SeenNonce(models.Model):
    """A signed request's nonce, kept for the replay window so that it cannot be sent again."""

    channel = models.CharField(max_length=20)
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "nonce"], name="inbound_nonce_once")
        ]

    def __str__(self) -> str:
        return self.nonce
