"""Prominent problems and the triage work behind them: trained models, clustering runs and
the clusters staff edit before promoting them to the district's problem list."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, Category
from civicdesk.core.chain import ChainedEvent


class ModelKind(models.TextChoices):
    """What a trained classifier suggests for a case."""

    CATEGORY = "category", _("Category")
    UNIT = "unit", _("Unit")


class TriageModel(models.Model):
    """A trained classifier file; the newest of each kind suggests categories or units."""

    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=ModelKind.choices, default=ModelKind.CATEGORY)
    # Relative to CIVICDESK_MODEL_DIR.
    file_name = models.CharField(max_length=200)
    n_train = models.PositiveIntegerField()
    # Category codes or unit codes, as the kind says.
    labels = models.JSONField(default=list)
    n_corrections = models.PositiveIntegerField(
        default=0, help_text=_("Staff corrections among the training examples.")
    )
    # How the model did in cross-validation on its own training cases: accuracy, the
    # "needs a person" threshold and the share of cases and precision above it.
    quality = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.n_train})"


class CategorySuggestion(models.Model):
    """What the model suggested for a case, kept so corrections can be counted and learned."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="category_suggestions")
    model = models.ForeignKey(TriageModel, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField()
    # [{"code": …, "confidence": …}, …] best first, and the words that drove the top one.
    top = models.JSONField(default=list)
    words = models.JSONField(default=list)
    needs_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "model"], name="one_suggestion_per_model")
        ]
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.category_id}"


class UnitSuggestion(models.Model):
    """The unit a model suggests routing a case to, learned from where past cases were
    handled; kept once per model like the category suggestion."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="unit_suggestions")
    model = models.ForeignKey(TriageModel, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField()
    # [{"code": unit code, "confidence": …}, …] best first.
    top = models.JSONField(default=list)
    needs_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "model"], name="one_unit_suggestion_per_model")
        ]
        verbose_name = _("unit suggestion")
        verbose_name_plural = _("unit suggestions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.unit_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ClusterRun(models.Model):
    """One sorting of a period's submissions into same-problem clusters."""

    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    channels = models.ManyToManyField("intake.Channel", blank=True, verbose_name=_("channels"))
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    n_cases = models.PositiveIntegerField(default=0)
    n_clusters = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("clustering run")
        verbose_name_plural = _("clustering runs")

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class ProblemCluster(models.Model):
    run = models.ForeignKey(ClusterRun, on_delete=models.CASCADE, related_name="clusters")
    title = models.CharField(_("title"), max_length=200)
    heat = models.FloatField(_("heat"), default=0)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    cases = models.ManyToManyField(Case, related_name="clusters", verbose_name=_("cases"))
    problem = models.ForeignKey(
        "Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="clusters"
    )
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-heat", "id"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.title


class Campaign(models.Model):
    """A special campaign of the district (the brief names five); rows, so more can be added."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    """A prominent problem on the district's list; measures and commitments attach to it."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
        verbose_name=_("aspect or category"),
    )
    cases = models.ManyToManyField(
        Case, blank=True, related_name="problems", verbose_name=_("cases")
    )
    campaigns = models.ManyToManyField(
        Campaign, blank=True, related_name="problems", verbose_name=_("campaigns")
    )
    lead_unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead unit"),
    )
    co_units = models.ManyToManyField(
        "accounts.Unit", blank=True, related_name="+", verbose_name=_("co-operating units")
    )
    responsible_official = models.CharField(_("responsible official"), max_length=80, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    # What each ProblemChange records of the problem, and `civicdesk verify_chains` compares
    # with the row (the fields and sets problem_save changes).
    chained_state = (
        "title",
        "description",
        "category",
        "lead_unit",
        "responsible_official",
        "campaigns",
        "co_units",
        "cases",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return self.title


class ProblemChange(ChainedEvent):
    """Every change to a problem's own record, hash-chained per problem ("problem:<id>")."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    # {"field": [before, after], …} in plain values, so the hash covers what changed.
    fields = models.JSONField(default=dict)

    chained_fields = ("problem", "action", "actor", "fields")
    subject_field = "problem"

    class Meta(ChainedEvent.Meta):
        verbose_name = _("problem change")
        verbose_name_plural = _("problem changes")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.action}"

    # Fields whose old and new values are shown; the others (links, sets) are only named.
    SHOWN_VALUES = frozenset({"title", "responsible_official"})

    def changed_fields(self) -> list[tuple[str, str | None, str | None]]:
        """What changed, as people read it: (field label, before, after), the values only for
        short text fields."""
        out = []
        for name, (before, after) in self.fields.items():
            try:
                label = str(Problem._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a field since removed: its stored name still tells
                label = name
            if name in self.SHOWN_VALUES:
                out.append((label, before or "", after or ""))
            else:
                out.append((label, None, None))
        return out
