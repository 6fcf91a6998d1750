"""Applications, the materials they carry, the notices that ask for more, the applicant's
visits, and the append-only history of every step."""

import re
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicdesk.accounts.models import Unit, User
from civicdesk.applications.models.matters import MaterialRequirement, MatterVersion, ProcessStep
from civicdesk.applications.workflow import OPEN_STATUSES, Action, Status
from civicdesk.catalogue.models import ApplicantType, Channel, ServiceItem
from civicdesk.core.history import AppendOnly


def phone_key(phone: str) -> str:
    """A phone number as the digits people mean by it (no spaces, dashes or +86)."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


class ApplicationQuerySet(models.QuerySet):
    def open(self) -> "ApplicationQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def finished(self) -> "ApplicationQuerySet":
        return self.exclude(status__in=OPEN_STATUSES)

    def overdue(self, now=None) -> "ApplicationQuerySet":
        """Open, accepted, not waiting for the applicant, and past the promised deadline."""
        return self.filter(status=Status.IN_PROGRESS, due_at__lt=now or timezone.now())

    def follow_up_overdue(self, now=None) -> "ApplicationQuerySet":
        """Open applications accepted with a material to follow (容缺) that is not in yet and
        whose follow-up deadline has passed."""
        late = ApplicationMaterial.objects.follow_up_overdue(now).filter(
            application=models.OuterRef("pk")
        )
        return self.filter(status__in=OPEN_STATUSES).filter(models.Exists(late))


class Application(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    version = models.ForeignKey(
        MatterVersion, on_delete=models.PROTECT, related_name="applications"
    )
    # The version's matter, copied so that lists and figures need no join.
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="applications", verbose_name=_("matter")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    applicant_type = models.CharField(
        _("applicant type"), max_length=12, choices=ApplicantType.choices
    )
    applicant_name = models.CharField(_("applicant"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    # Who the applicant is, for telling applicants apart: the credit code of an enterprise,
    # else the name (the hall asks citizens for no identity number).
    applicant_key = models.CharField(max_length=120, db_index=True)
    contact_phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    phone_key = models.CharField(max_length=30, blank=True, db_index=True)
    # 代办人: someone filing for the applicant.
    agent_name = models.CharField(_("agent"), max_length=80, blank=True)
    agent_phone = models.CharField(_("agent's phone"), max_length=30, blank=True)
    agent_key = models.CharField(max_length=30, blank=True, db_index=True)
    language = models.CharField(max_length=10, blank=True)
    # The window where it was handed in (window channel) and who typed it in.
    window = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    step = models.ForeignKey(
        ProcessStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The official who took the application up at its current step.
    holder = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Working days the clock stood still after acceptance while materials were awaited.
    suspended_days = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome_note = models.TextField(blank=True)
    # Counted from the events below, kept here so that lists and figures need no grouping.
    visit_count = models.PositiveSmallIntegerField(_("visits"), default=0)
    steps_done = models.PositiveSmallIntegerField(default=0)
    notice_count = models.PositiveSmallIntegerField(default=0)
    late_requests = models.PositiveSmallIntegerField(default=0)
    applicant_wait_seconds = models.PositiveBigIntegerField(default=0)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["item", "status"]),
            models.Index(fields=["status", "step"]),
            models.Index(fields=["version", "finished_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(applicant_type="enterprise") | ~Q(credit_code=""),
                name="applications_enterprise_has_credit_code",
            ),
            models.CheckConstraint(
                condition=~Q(contact_phone="") | ~Q(contact_email=""),
                name="applications_has_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == Status.IN_PROGRESS
            and self.due_at is not None
            and self.due_at < timezone.now()
        )

    @property
    def on_spot(self) -> bool:
        """完成于现场: accepted and issued at the window on the same day."""
        return (
            self.channel == Channel.WINDOW
            and self.status == Status.ISSUED
            and self.accepted_at is not None
            and self.finished_at is not None
            and timezone.localdate(self.accepted_at) == timezone.localdate(self.finished_at)
        )


class MaterialState(models.TextChoices):
    ABSENT = "absent", _("Not provided")
    PROVIDED = "provided", _("Provided, to be checked")
    ACCEPTED = "accepted", pgettext_lazy("material", "Accepted")
    REQUESTED = "requested", _("Asked for")
    DEFERRED = "deferred", _("To follow (容缺)")


# States in which the applicant may hand the material in.
UPLOADABLE_STATES = frozenset(
    {MaterialState.ABSENT, MaterialState.REQUESTED, MaterialState.DEFERRED}
)


class ApplicationMaterialQuerySet(models.QuerySet):
    def follow_up_overdue(self, now=None) -> "ApplicationMaterialQuerySet":
        """Materials to follow (容缺) not handed in by their follow-up deadline."""
        return self.filter(state=MaterialState.DEFERRED, follow_up_due__lt=now or timezone.now())


class ApplicationMaterial(models.Model):
    """One line of the checklist for one application, and where it stands."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(MaterialRequirement, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=MaterialState.choices)
    # What the last refusal or request said was wrong with it.
    problem = models.CharField(_("what is wrong"), max_length=300, blank=True)
    follow_up_due = models.DateTimeField(null=True, blank=True)
    on_first_notice = models.BooleanField(default=False)

    objects = ApplicationMaterialQuerySet.as_manager()

    class Meta:
        ordering = ["application", "requirement__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement"], name="applications_one_line_per_material"
            )
        ]

    def __str__(self) -> str:
        return self.requirement.name

    @property
    def follow_up_overdue(self) -> bool:
        """A material to follow (容缺) that is not in by its follow-up deadline."""
        return (
            self.state == MaterialState.DEFERRED
            and self.follow_up_due is not None
            and self.follow_up_due < timezone.now()
        )


def _upload_path(instance: "Upload", filename: str) -> str:
    # A random name; only the extension our checks chose is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"applications/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class Upload(models.Model):
    material = models.ForeignKey(
        ApplicationMaterial, on_delete=models.CASCADE, related_name="uploads"
    )
    file = models.FileField(upload_to=_upload_path, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Notice(models.Model):
    """一次性告知: one complete list of what is missing, sent to the applicant at once. A later
    notice that asks for a material not on the first list needs a supervisor's reason and
    counts against the unit (`late_items`)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    number = models.PositiveSmallIntegerField()
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    late_items = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="applications_notice_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.number}"


class NoticeItem(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    material = models.ForeignKey(ApplicationMaterial, on_delete=models.CASCADE, related_name="+")
    problem = models.CharField(max_length=300, blank=True)
    # False: the material was not on the application's first notice (a late request).
    on_first_notice = models.BooleanField(default=True)

    class Meta:
        ordering = ["notice", "material__requirement__position"]

    def __str__(self) -> str:
        return f"{self.notice} {self.material}"


class MaterialDecision(AppendOnly):
    """A member of staff accepted or refused a material (for the refusal signal)."""

    ACCEPTED = "accepted"
    REFUSED = "refused"

    material = models.ForeignKey(
        ApplicationMaterial, on_delete=models.CASCADE, related_name="decisions"
    )
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=10)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["name", "decision", "unit"])]


class VisitKind(models.TextChoices):
    WINDOW = "window", _("At the window")
    STAFF = "staff", _("Recorded by staff")
    KIOSK = "kiosk", _("Kiosk scan")


class Visit(AppendOnly):
    """The applicant came in person for this application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(max_length=10, choices=VisitKind.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The office's local date: two appearances on one day are one trip.
    day = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    APPLICANT = "applicant", _("Applicant")
    SYSTEM = "system", _("System")


class ApplicationEvent(AppendOnly):
    """One entry of an application's history. Append-only."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    step = models.ForeignKey(
        ProcessStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "created_at"])]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class StepRunQuerySet(models.QuerySet):
    def open(self) -> "StepRunQuerySet":
        return self.filter(completed_at__isnull=True)


class StepRun(models.Model):
    """One passage of an application through one step: when it arrived, when an official took
    it up, when it was done. Step times are read from these rows."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="step_runs")
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="runs")
    arrived_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)
    holder = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Time spent waiting for the applicant while at this step (not the office's time).
    applicant_wait_seconds = models.PositiveBigIntegerField(default=0)
    # Set on completion: arrival to completion less the applicant's time, and arrival to
    # being taken up (the queue in front of the desk).
    handle_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    queue_seconds = models.PositiveBigIntegerField(null=True, blank=True)

    objects = StepRunQuerySet.as_manager()

    class Meta:
        ordering = ["arrived_at", "id"]
        indexes = [
            models.Index(fields=["step", "handle_seconds"]),
            models.Index(fields=["step", "queue_seconds"]),
            models.Index(
                fields=["taken_at"],
                condition=Q(completed_at__isnull=True),
                name="applications_open_runs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.step_id}"


class OneTimeCode(models.Model):
    """A six-digit code sent to the applicant's phone or e-mail; only its digest is kept."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application} {self.created_at:%Y-%m-%d %H:%M}"
