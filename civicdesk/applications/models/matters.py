"""A matter's version: its material checklist and its process, both data.

A matter is a catalogue item (catalogue.ServiceItem). Each re-engineering of its process is a
new version; applications keep the version they were made under, so the figures of one
version can be set beside the next. At most one version of a matter is active (open for new
applications); publishing a new one withdraws the one before.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.catalogue.models import ServiceItem


class VersionStatus(models.TextChoices):
    ACTIVE = "active", _("Open for applications")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MaterialKind(models.TextChoices):
    REQUIRED = "required", pgettext_lazy("material", "Required")
    OPTIONAL = "optional", pgettext_lazy("material", "Optional")
    # 容缺: the application may be accepted without it; it follows by a deadline.
    DEFERRABLE = "deferrable", _("May follow later (容缺)")


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("Acceptance")
    REVIEW = "review", _("Review")
    APPROVE = "approve", _("Approval")
    INSPECT = "inspect", _("Site inspection")
    ACCEPTANCE_CHECK = "acceptance_check", _("Acceptance check")
    ISSUE = "issue", _("Issue")


# Roles that work on a step; inspectors and administrators never handle applications.
STEP_ROLES = (Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.LEADER)


class MatterVersionQuerySet(models.QuerySet):
    def active(self) -> "MatterVersionQuerySet":
        return self.filter(status=VersionStatus.ACTIVE, item__is_active=True)


class MatterVersion(models.Model):
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="versions", verbose_name=_("matter")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.ACTIVE
    )
    # 承诺时限: working days from acceptance to issue, the clock stopped while the applicant
    # is asked for materials.
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = MatterVersionQuerySet.as_manager()

    class Meta:
        ordering = ["item__code", "-number"]
        verbose_name = _("matter version")
        verbose_name_plural = _("matter versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="applications_version_number"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="active"),
                name="applications_one_active_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status == VersionStatus.ACTIVE and self.item.is_active

    @property
    def first_step(self) -> "ProcessStep":
        return self.steps.order_by("position").first()

    def step_after(self, step: "ProcessStep") -> "ProcessStep | None":
        return self.steps.filter(position__gt=step.position).order_by("position").first()


class MaterialRequirement(models.Model):
    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("material"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=MaterialKind.choices)
    # Working days after acceptance by which a 容缺 material must follow.
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up deadline (working days)"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("checklist material")
        verbose_name_plural = _("checklist materials")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="applications_material_position"
            ),
            models.UniqueConstraint(fields=["version", "name"], name="applications_material_name"),
            models.CheckConstraint(
                condition=(Q(kind="deferrable", follow_up_days__gte=1))
                | (~Q(kind="deferrable") & Q(follow_up_days__isnull=True)),
                name="applications_deferrable_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    name = models.CharField(_("name"), max_length=80, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="process_steps", verbose_name=_("unit")
    )
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    online_possible = models.BooleanField(_("can be done online"), default=False)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="applications_step_order"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())

    @property
    def is_last(self) -> bool:
        return self.kind == StepKind.ISSUE
