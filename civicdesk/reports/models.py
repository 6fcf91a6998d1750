"""Confidential reports against units and officials, their chained events and access log.

Both ledgers (inaction and misconduct; collusion with black intermediaries) live in one
table told apart by ``ledger``; who may see which ledger is decided in one place,
``civicdesk.reports.access``. None of these models is registered in the Django admin, and
foreign keys to units and users have no reverse accessors (``related_name="+"``), so there
is no side door to them.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.core.chain import ChainedEvent
from civicdesk.reports.workflow import Action, Ledger, Status


class Setting(models.TextChoices):
    """Where a collusion with an intermediary happened."""

    APPROVAL = "approval", _("Administrative approval")
    ACCEPTANCE = "acceptance", _("Acceptance check")
    SERVICE_HALL = "service_hall", _("Service hall")
    WINDOW = "window", _("Service window")
    OTHER = "other", _("Elsewhere")


class Source(models.TextChoices):
    PUBLIC = "public", _("Public form")
    STAFF = "staff", _("Filed by staff")
    # Taken on paper or by phone and loaded from a workbook by the ledger's audience.
    IMPORT = "import", _("Imported from a workbook")


class Report(models.Model):
    ledger = models.CharField(_("ledger"), max_length=20, choices=Ledger.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    reported_unit = models.ForeignKey(
        Unit,
        verbose_name=_("reported unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    official_name = models.CharField(_("official's name"), max_length=80, blank=True)
    official_position = models.CharField(_("official's position"), max_length=120, blank=True)
    setting = models.CharField(_("where"), max_length=20, choices=Setting.choices, blank=True)
    intermediary = models.CharField(_("intermediary"), max_length=200, blank=True)
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("when"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    contact_name = models.CharField(_("name"), max_length=80, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SHA-256 of the whistle-blower's follow-up code; the code itself is never stored.
    followup_digest = models.CharField(max_length=64, blank=True, editable=False)
    # One token per form page, so sending the same page twice files one report.
    form_token = models.UUIDField(unique=True, null=True, editable=False)
    received_at = models.DateTimeField(_("received on"), default=timezone.now)
    # A report that came through an ordinary channel (web form, API, Open311, a window,
    # an import, a questionnaire) and was routed here by civicdesk.intake.routing: the
    # channel's code and its own id for the message, so a retry or re-import files nothing
    # twice. Empty for reports filed on this app's own forms.
    channel = models.CharField(_("received through"), max_length=40, blank=True, editable=False)
    external_id = models.CharField(max_length=120, blank=True, editable=False)

    # What each ReportEvent records of the report, and `civicdesk verify_chains` compares with
    # the row: what was reported and where it stands. The reporter's contact details stay out
    # of the append-only chain, as they stay out of the "create" event's data.
    chained_state = (
        "ledger",
        "status",
        "reported_unit",
        "official_name",
        "official_position",
        "setting",
        "intermediary",
        "description",
        "occurred_on",
        "place",
        "evidence",
        "source",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("confidential report")
        verbose_name_plural = _("confidential reports")
        constraints = [
            models.UniqueConstraint(
                fields=["followup_digest"],
                condition=~models.Q(followup_digest=""),
                name="one_report_per_followup_code",
            ),
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_report_per_channel_message",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ledger_display()} #{self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return not (self.contact_name or self.contact_phone or self.contact_email)

    @property
    def chain_name(self) -> str:
        return f"report:{self.pk}"


class ReportEventQuerySet(models.QuerySet):
    def for_reporter(self) -> "ReportEventQuerySet":
        """What the holder of the follow-up code may read: replies, and what they added."""
        return self.filter(models.Q(is_public=True) | models.Q(action=Action.SUPPLEMENT))


class ReportEvent(ChainedEvent):
    """One step of a report, hash-chained per report ("report:<id>")."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    # True for replies the whistle-blower reads on the follow-up page.
    is_public = models.BooleanField(default=False)
    # The report's content as received (on the "create" event), so the chain covers it too.
    data = models.JSONField(default=dict, blank=True)

    chained_fields = (
        "report",
        "action",
        "from_status",
        "to_status",
        "actor",
        "actor_kind",
        "note",
        "is_public",
        "data",
    )
    subject_field = "report"

    objects = ReportEventQuerySet.as_manager()

    class Meta(ChainedEvent.Meta):
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


class AccessView(models.TextChoices):
    LIST = "list", _("Seen in the list")
    DETAIL = "detail", _("Opened the report")
    ACTION = "action", _("Acted on the report")
    EXPORT = "export", _("Exported to a workbook")


class ReportAccess(ChainedEvent):
    """Who looked at a report, when and on which page: append-only and hash-chained
    per report ("report-access:<id>"), so nobody can remove their trace."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    view = models.CharField(max_length=10, choices=AccessView.choices)

    chained_fields = ("report", "user", "view")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("report access")
        verbose_name_plural = _("report accesses")

    def __str__(self) -> str:
        return f"{self.report_id} {self.user_id} {self.view}"


class ImportRejection(models.Model):
    """The rejected rows of a failed import, with an error column, for the uploader alone.

    It holds confidential text, so it is kept here (not with the other ledgers' import
    reports) and is reachable only through ``civicdesk.reports.access``: by the person who
    uploaded the file, and only while they belong to the ledger's audience.
    """

    ledger = models.CharField(max_length=20, choices=Ledger.choices)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("rejected report import")
        verbose_name_plural = _("rejected report imports")

    def __str__(self) -> str:
        return self.file_name
