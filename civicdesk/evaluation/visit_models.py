"""The call centre's return visits (回访) and the praise people give a unit (表扬).

After a case is answered, the sampling rules (data, `SamplingRule`) pick the answers the call
centre calls back about: every dissatisfied case, every enterprise case, every re-handled
case, and a deterministic share of the rest. Each picked answer gets one `ReturnVisit` in the
queue, with the script of its category (`VisitScript`); every attempt and outcome is an
append-only `VisitEvent`. A reached person's answer is the evaluation of that answer when the
reporter has not given one online (see services.followup_answer_from_visit), so the rates
count visits and online follow-ups together.
"""

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case, Category
from civicdesk.core.history import AppendOnly
from civicdesk.evaluation.visit_workflow import VisitAction, VisitStatus
from civicdesk.ratings.models import Level


class SamplingRuleKind(models.TextChoices):
    DISSATISFIED = "dissatisfied", _("Every dissatisfied case")
    ENTERPRISE = "enterprise", _("Every enterprise case")
    REHANDLED = "rehandled", _("Every case answered again after a re-handling")
    SHARE = "share", _("A share of the other cases")


# Rules that take every matching answer; a SHARE rule takes a share of what they leave.
EVERY_KINDS = (
    SamplingRuleKind.DISSATISFIED,
    SamplingRuleKind.ENTERPRISE,
    SamplingRuleKind.REHANDLED,
)


class SamplingRuleQuerySet(models.QuerySet):
    def active(self) -> "SamplingRuleQuerySet":
        return self.filter(is_active=True)


class SamplingRule(models.Model):
    """One rule of which answered cases the call centre calls back about."""

    kind = models.CharField(_("rule"), max_length=20, choices=SamplingRuleKind.choices)
    # For SHARE rules: the percentage of the cases no "every …" rule took.
    percent = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Limits the rule to a category (and the categories below it); empty: every case.
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SamplingRuleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "category_id", "id"]
        verbose_name = _("sampling rule")
        verbose_name_plural = _("sampling rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=SamplingRuleKind.SHARE, percent__gt=0, percent__lte=100)
                | (~Q(kind=SamplingRuleKind.SHARE) & Q(percent__isnull=True)),
                name="evaluation_share_rule_has_percent",
            )
        ]

    def __str__(self) -> str:
        if self.kind == SamplingRuleKind.SHARE:
            return f"{self.get_kind_display()} {self.percent}%"
        return str(self.get_kind_display())

    def covers(self, category: Category | None) -> bool:
        """Whether the rule applies to a case of this category."""
        if self.category_id is None:
            return True
        return category is not None and self.category_id in (category.pk, category.parent_id)


class VisitScript(models.Model):
    """What the agent says on a return visit about a case of a category (empty: the default
    script, for categories without their own)."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_scripts",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("script"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category__sort_order", "category__code", "id"]
        verbose_name = _("return-visit script")
        verbose_name_plural = _("return-visit scripts")
        constraints = [
            # One script per category and one default: NULLs are distinct to a plain unique
            # index, so the default counts as category 0.
            models.UniqueConstraint(
                Coalesce("category", Value(0)), name="evaluation_one_script_per_category"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def for_category(cls, category: Category | None) -> "VisitScript | None":
        """The category's own script, else its aspect's, else the default one."""
        scripts = {s.category_id: s for s in cls.objects.all()}
        for key in (
            category.pk if category else None,
            category.parent_id if category else None,
        ):
            if key is not None and key in scripts:
                return scripts[key]
        return scripts.get(None)


class ReturnVisitQuerySet(models.QuerySet):
    def waiting(self) -> "ReturnVisitQuerySet":
        return self.filter(status=VisitStatus.WAITING)

    def for_unit_subtree(self, unit: Unit) -> "ReturnVisitQuerySet":
        return self.filter(case__unit__path__startswith=unit.path)


class ReturnVisit(models.Model):
    """One call-back about one answer of a case (a re-answered case may get another)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_visits")
    # The case's answered_at when the visit was queued: which answer it asks about.
    answer_of = models.DateTimeField()
    reason = models.CharField(_("why it was picked"), max_length=20, choices=SamplingRuleKind)
    rule = models.ForeignKey(
        SamplingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=VisitStatus.choices,
        default=VisitStatus.WAITING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # What the reached person said.
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), choices=Level.choices, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    praised = models.BooleanField(_("praised the handling"), default=False)
    # True when the answer became the evaluation of the case's answer (its follow-up had no
    # answer from the reporter yet); False when the reporter had already answered online.
    counted = models.BooleanField(default=False)
    # A re-handling order (重办): the case was reopened because the person said "not solved".
    reopened = models.BooleanField(_("re-handling ordered"), default=False)
    visited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReturnVisitQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        constraints = [
            models.UniqueConstraint(fields=["case", "answer_of"], name="one_visit_per_answer")
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == VisitStatus.WAITING


class VisitEvent(AppendOnly):
    """One step of a return visit: queued, each attempt and its outcome, or cancelled."""

    visit = models.ForeignKey(ReturnVisit, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=VisitAction.choices)
    from_status = models.CharField(max_length=20, choices=VisitStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=VisitStatus.choices)
    attempt = models.PositiveSmallIntegerField(default=0)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("return-visit event")
        verbose_name_plural = _("return-visit events")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.action}"


class PraiseSource(models.TextChoices):
    RETURN_VISIT = "return_visit", _("On a return visit")
    HOTLINE = "hotline", _("Call to the hotline")
    LETTER = "letter", _("Letter")
    BANNER = "banner", _("Banner (锦旗)")
    ONLINE = "online", _("Online message")


class PraiseQuerySet(models.QuerySet):
    def for_unit_subtree(self, unit: Unit) -> "PraiseQuerySet":
        return self.filter(unit__path__startswith=unit.path)

    def in_period(self, start, end) -> "PraiseQuerySet":
        return self.filter(received_at__gte=start, received_at__lt=end)


class Praise(models.Model):
    """Praise (表扬) a person gave for how a case was handled, credited to the unit that
    handled it; the appraisal scheme may give bonus points per praised case."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="praise", verbose_name=_("case")
    )
    # The unit that handled the case when the praise came (a case may move on later).
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="praise", verbose_name=_("unit")
    )
    source = models.CharField(_("how it came"), max_length=20, choices=PraiseSource.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    note = models.TextField(_("what was said"), blank=True)
    visit = models.OneToOneField(
        ReturnVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="praise"
    )
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PraiseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("praise")
        verbose_name_plural = _("praise")

    def __str__(self) -> str:
        return f"{self.case} {self.get_source_display()}"
