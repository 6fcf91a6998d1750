"""Commitments: measures promised for prominent problems, their evidence and their history.

Overdue is derived (deadline passed while still being worked on), never stored. Every change
is an append-only, hash-chained event (see civicdesk.core.chain).
"""

import secrets
from datetime import date

from django.db import models
from django.db.models import F, FloatField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.commitments.workflow import (
    OPEN_STATUSES,
    MeasureAction,
    MeasureStatus,
    ProblemAction,
)
from civicdesk.core.chain import ChainedEvent
from civicdesk.core.deadlines import work_calendar
from civicdesk.problems.models import Problem


class MeasureQuerySet(models.QuerySet):
    def open(self) -> "MeasureQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date | None = None) -> "MeasureQuerySet":
        """Past the deadline and not yet done, verified or closed."""
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def due_soon(self, days: int = 3, today: date | None = None) -> "MeasureQuerySet":
        """Open measures due from today up to the end of the `days`-th working day after it."""
        today = today or timezone.localdate()
        calendar = work_calendar()
        end = today
        for _day in range(days):
            end = calendar.next_working_day(end)
        return self.open().filter(deadline__gte=today, deadline__lte=end)

    def for_unit_subtree(self, unit: Unit) -> "MeasureQuerySet":
        return self.filter(unit__path__startswith=unit.path)

    def visible_to(self, user: User) -> "MeasureQuerySet":
        from civicdesk.accounts.models import Role

        if not user.is_authenticated or not user.is_staff_member:
            return self.none()
        if user.role in {Role.CLERK, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}:
            return self
        if user.role != Role.HANDLER or user.unit_id is None:
            return self.none()
        return self.for_unit_subtree(user.unit)


class Measure(models.Model):
    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="measures", verbose_name=_("problem")
    )
    title = models.CharField(_("what will be done"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="measures", verbose_name=_("responsible unit")
    )
    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = MeasureQuerySet.as_manager()

    # What each MeasureEvent records of the measure, and `civicdesk verify_chains` compares
    # with the row: the public promise and where it stands.
    chained_state = (
        "problem",
        "title",
        "description",
        "unit",
        "start_date",
        "deadline",
        "weight",
        "progress",
        "status",
        "done_at",
        "verified_at",
        "closed_at",
    )

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="measure_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("start_date")), name="measure_deadline_after_start"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="measure_weight_positive"),
        ]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.title

    @property
    def chain_name(self) -> str:
        return f"measure:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.deadline < (today or timezone.localdate())

    @property
    def pending_extension(self) -> "Extension | None":
        return self.extensions.filter(approved_at__isnull=True).first()

    def missing_for_done(self) -> list[str]:
        """What the measure lacks to be marked done, in words: milestones not yet reached,
        and evidence. Empty when it may be marked done."""
        missing = []
        open_milestones = list(
            self.milestones.filter(done_at__isnull=True).values_list("title", flat=True)
        )
        if open_milestones:
            titles = pgettext("list separator", ", ").join(open_milestones)
            missing.append(
                ngettext(
                    "%(count)d milestone not reached (%(titles)s)",
                    "%(count)d milestones not reached (%(titles)s)",
                    len(open_milestones),
                )
                % {"count": len(open_milestones), "titles": titles}
            )
        if not self.evidence.exists():
            missing.append(gettext("no evidence (a photo or document)"))
        return missing


def problem_progress_subquery() -> Subquery:
    """Weighted mean progress of a problem's measures, for `.annotate(progress=…)`."""
    weighted = (
        Measure.objects.filter(problem=OuterRef("pk"))
        .order_by()
        .values("problem")
        .annotate(
            mean=Cast(Sum(F("weight") * F("progress")), FloatField())
            / Cast(Sum("weight"), FloatField())
        )
        .values("mean")
    )
    return Subquery(weighted, output_field=FloatField())


def with_progress(problems):
    """Problems annotated with `progress` (None for a problem without measures)."""
    return problems.annotate(progress=problem_progress_subquery())


def problem_progress(problem: Problem) -> float | None:
    totals = problem.measures.aggregate(
        weighted=Sum(F("weight") * F("progress")), weights=Sum("weight")
    )
    if not totals["weights"]:
        return None
    return totals["weighted"] / totals["weights"]


class Milestone(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


def _evidence_path(instance: "Evidence", filename: str) -> str:
    # The name is random; only the checked extension is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"commitments/evidence/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class Evidence(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Extension(models.Model):
    """A request to move a measure's deadline; its reason becomes public once approved."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField(_("reason"))
    previous_deadline = models.DateField()
    new_deadline = models.DateField(_("new deadline"))
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(approved_at__isnull=True),
                name="one_pending_extension_per_measure",
            )
        ]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.previous_deadline} → {self.new_deadline}"


class MeasureEvent(ChainedEvent):
    """One change of a measure. `note` is internal; `public_note` may be shown to everyone."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=30, choices=MeasureAction.choices)
    from_status = models.CharField(max_length=20, choices=MeasureStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MeasureStatus.choices, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    public_note = models.TextField(blank=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    is_public = models.BooleanField(default=False)
    # Why a supervisor marked the measure done without all its milestones reached or without
    # evidence; public like the rest of the "done" event.
    reason = models.TextField(blank=True)

    chained_fields = (
        "measure",
        "action",
        "from_status",
        "to_status",
        "progress",
        "deadline",
        "note",
        "public_note",
        "actor",
        "is_public",
    )
    later_chained_fields = ("reason",)
    subject_field = "measure"

    class Meta(ChainedEvent.Meta):
        verbose_name = _("measure event")
        verbose_name_plural = _("measure events")

    def __str__(self) -> str:
        return f"{self.chain}#{self.position} {self.action}"


class ProblemEvent(ChainedEvent):
    """A change to a problem's commitments (a measure added)."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="commitment_events")
    action = models.CharField(max_length=30, choices=ProblemAction.choices)
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    public_note = models.TextField(blank=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    is_public = models.BooleanField(default=True)

    chained_fields = ("problem", "action", "measure", "note", "public_note", "actor", "is_public")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")

    def __str__(self) -> str:
        return f"{self.chain}#{self.position} {self.action}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """Someone who wants email about a problem's commitments; mail goes out once confirmed."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    confirmed = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "email"], name="one_subscription_per_email")
        ]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.email}"


class Notification(models.Model):
    """An in-app message for the reporter of a linked case, shown on the case's status page."""

    tracking_code = models.CharField(max_length=20, db_index=True)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, null=True, on_delete=models.CASCADE, related_name="+")
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.tracking_code}: {self.message[:40]}"


class ReminderKind(models.TextChoices):
    REMIND = "remind", _("Reminder before the deadline")
    ESCALATE = "escalate", _("Escalation after the deadline")


class Reminder(models.Model):
    """That a reminder or an escalation went out for a measure's deadline, so it goes out once."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    deadline = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "kind", "deadline"], name="one_reminder_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.kind} {self.deadline}"
