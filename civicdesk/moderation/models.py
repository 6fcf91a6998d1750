"""Moderation of what the public reads: staff hide or edit the public text of a report or
its answer with a reason (the original stays stored, untouched), and the public flags
texts as inappropriate (举报不当内容) into a queue.

A moderation names the exact text it applies to (``original``); Case.public_text shows the
moderated version wherever that text appears (the page, the timeline note of the answer,
the JSON API, Open311), so one mechanism covers every public rendering. A new answer is a
new text and is public until someone moderates it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.core.history import AppendOnly


class PublicField(models.TextChoices):
    DESCRIPTION = "description", _("Report text")
    ADDRESS = "address", _("Place")
    ANSWER = "answer", _("Official answer")


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("Hidden")
    EDIT = "edit", _("Edited")
    RESTORE = "restore", _("Restored")


class TextModeration(AppendOnly):
    """One moderation of one public text of a case. Append-only: the latest row for a text
    is in force (a restore puts the original back); earlier ones stay as the history."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="text_moderations"
    )
    field = models.CharField(_("text"), max_length=20, choices=PublicField.choices)
    action = models.CharField(_("action"), max_length=10, choices=ModerationAction.choices)
    # The text as stored when it was moderated; kept, never shown to the public again.
    original = models.TextField(_("original text"))
    # What the public reads instead (edit only).
    replacement = models.TextField(_("public text"), blank=True)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("text moderation")
        verbose_name_plural = _("text moderations")

    def __str__(self) -> str:
        return f"{self.case_id} {self.field} {self.action}"


class AbuseReason(models.TextChoices):
    PERSONAL = "personal", _("It shows someone's personal details")
    OFFENSIVE = "offensive", _("It is insulting, obscene or threatening")
    FALSE = "false", _("It is false or misleading")
    ADVERTISING = "advertising", _("It is advertising or spam")
    OTHER = "other", _("Something else")


class AbuseStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    UPHELD = "upheld", _("Upheld: the text was moderated")
    DISMISSED = "dismissed", _("Dismissed")


class AbuseReport(models.Model):
    """A member of the public's report that a public text is inappropriate."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="abuse_reports")
    field = models.CharField(_("text"), max_length=20, choices=PublicField.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=AbuseReason.choices)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AbuseStatus.choices,
        default=AbuseStatus.OPEN,
        db_index=True,
    )
    # A digest of the client's address and the day: one open report per client and text,
    # without keeping the address.
    client_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderation = models.ForeignKey(
        TextModeration, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "field", "client_key"],
                condition=models.Q(status="open"),
                name="moderation_one_open_report_per_client",
            )
        ]
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")

    def __str__(self) -> str:
        return f"{self.case_id} {self.field} {self.reason} {self.status}"


class AbuseReportEvent(AppendOnly):
    """One step of an abuse report (filed, upheld, dismissed). Append-only."""

    report = models.ForeignKey(AbuseReport, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=AbuseStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=AbuseStatus.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("abuse report step")
        verbose_name_plural = _("abuse report steps")

    def __str__(self) -> str:
        return f"{self.report_id} {self.to_status}"
