"""Campaign ledgers: broken promises to enterprises, the enterprise case backlog and the
utilities' published service standards. Every change to a ledger row is a hash-chained
LedgerEvent, so `civicdesk verify_chains` covers the ledgers too."""

import hashlib
import re
import unicodedata
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.core.chain import ChainedEvent


class Enterprise(models.Model):
    name = models.CharField(_("enterprise name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)

    # What the LedgerEvents of a row record of it (see civicdesk.core.chain).
    chained_state = ("name", "credit_code")

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


def promise_row_key(*, credit_code: str, promised_on: date, promise: str) -> str:
    """What recognises one promise however often it is entered or imported: the enterprise
    (its credit code), the day of the promise and its words, spaces, width and case aside.
    The document, amount, unit and deadline are no part of it: a workbook that differs there
    is told so rather than adding the promise a second time."""
    words = re.sub(r"\s+", "", unicodedata.normalize("NFKC", promise)).casefold()
    raw = "\x1f".join([credit_code.strip().upper(), promised_on.isoformat(), words])
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


class PromiseItemQuerySet(models.QuerySet):
    def overdue(self, today: date | None = None) -> "PromiseItemQuerySet":
        """Still open after the deadline day."""
        today = today or timezone.localdate()
        return self.filter(status=PromiseStatus.OPEN, deadline__lt=today)


class PromiseItem(models.Model):
    """One thing the government promised an enterprise and has not (yet) kept."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="promises", verbose_name=_("enterprise")
    )
    promise = models.TextField(_("what was promised"))
    promised_on = models.DateField(_("promised on"))
    document = models.CharField(_("document"), max_length=300, blank=True)
    amount_owed = models.DecimalField(
        _("amount owed (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    enterprise_confirmed = models.BooleanField(_("confirmed by the enterprise"), default=False)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # promise_row_key(): a second entry or import of the same promise is recognised by it.
    # Empty only on rows that doubled an earlier one before keys existed.
    row_key = models.CharField(max_length=71, blank=True, editable=False)

    objects = PromiseItemQuerySet.as_manager()

    chained_state = (
        "enterprise",
        "promise",
        "promised_on",
        "document",
        "amount_owed",
        "unit",
        "deadline",
        "status",
        "resolution",
        "resolved_on",
        "enterprise_confirmed",
        "confirmed_on",
    )

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("promise to an enterprise")
        verbose_name_plural = _("promises to enterprises")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_owed__isnull=True) | models.Q(amount_owed__gte=0),
                name="ledgers_promise_amount_not_negative",
            ),
            models.UniqueConstraint(
                fields=["row_key"],
                condition=~models.Q(row_key=""),
                name="ledgers_one_promise_per_row_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name}: {self.promise[:40]}"

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == PromiseStatus.OPEN and self.deadline < today


class Stage(models.TextChoices):
    FILED = "filed", _("Filed")
    HEARING = "hearing", _("Hearing")
    JUDGMENT = "judgment", _("Judgment")
    ENFORCEMENT = "enforcement", _("Enforcement")
    CLOSED = "closed", _("Closed")


# (key, label, lowest age in days, highest age in days or None); ages as of today.
AGEING_BUCKETS = [
    ("under_90", _("under 90 days"), 0, 89),
    ("90_180", _("90 to 180 days"), 90, 179),
    ("180_365", _("180 to 365 days"), 180, 365),
    ("over_365", _("over 365 days"), 366, None),
]


def ageing_bucket(age_days: int) -> str:
    for key, _label, low, high in AGEING_BUCKETS:
        if age_days >= low and (high is None or age_days <= high):
            return key
    return AGEING_BUCKETS[0][0]  # filed in the future: a typo, but the youngest bucket


class BacklogCase(models.Model):
    """An enterprise-related court or agency case that has been pending too long."""

    case_number = models.CharField(_("case number"), max_length=80, unique=True)
    court_or_agency = models.CharField(_("court or agency"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backlog_cases",
        verbose_name=_("enterprise"),
    )
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    filed_on = models.DateField(_("filing date"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.FILED)
    target_close_on = models.DateField(_("target closing date"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    chained_state = (
        "case_number",
        "court_or_agency",
        "enterprise",
        "enterprise_name",
        "filed_on",
        "stage",
        "target_close_on",
        "closed_on",
        "unit",
    )

    class Meta:
        ordering = ["filed_on", "pk"]
        verbose_name = _("backlog case")
        verbose_name_plural = _("backlog cases")

    def __str__(self) -> str:
        return self.case_number

    def age_days(self, today: date | None = None) -> int:
        """Days from filing to closing, or to today while the case is pending."""
        end = self.closed_on or today or timezone.localdate()
        return (end - self.filed_on).days

    @property
    def age(self) -> int:
        return self.age_days()

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED


class UtilityKind(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    HEATING = "heating", _("Heating")
    WATER = "water", _("Water")
    FIRE = "fire", _("Fire services")


class Utility(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UtilityKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("utility's unit")
    )

    chained_state = ("name", "kind", "unit")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("utility")
        verbose_name_plural = _("utilities")

    def __str__(self) -> str:
        return self.name

    def latest_disclosure(self) -> "Disclosure | None":
        return self.disclosures.order_by("-version").first()


class Section(models.TextChoices):
    STANDARDS = "service_standards", _("Service standards")
    PROCEDURES = "procedures", _("Procedures")
    FEES = "fees", _("Fees")
    LEGAL = "legal_conditions", _("Legal conditions")


class Disclosure(models.Model):
    """One published version; a new version is a new row and old ones never change."""

    utility = models.ForeignKey(Utility, on_delete=models.PROTECT, related_name="disclosures")
    version = models.PositiveIntegerField(_("version"))
    service_standards = models.TextField(_("service standards"))
    procedures = models.TextField(_("procedures"))
    fees = models.TextField(_("fees"))
    legal_conditions = models.TextField(_("legal conditions"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    # Recorded by the utility's "publish" event: a published version never changes.
    chained_state = (
        "utility",
        "version",
        "service_standards",
        "procedures",
        "fees",
        "legal_conditions",
    )

    class Meta:
        ordering = ["utility", "-version"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        constraints = [
            models.UniqueConstraint(fields=["utility", "version"], name="one_disclosure_version")
        ]

    def __str__(self) -> str:
        return f"{self.utility.name} v{self.version}"

    def sections(self) -> list[tuple[str, str, str]]:
        return [(s.value, s.label, getattr(self, s.value)) for s in Section]


class ImportReport(models.Model):
    """The rejected rows of a failed import, with an error column, for the uploader to fix."""

    ledger = models.CharField(max_length=20)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("rejected import report")
        verbose_name_plural = _("rejected import reports")

    def __str__(self) -> str:
        return self.file_name


class LedgerEvent(ChainedEvent):
    """Every change to a ledger row, chained per ledger ("promises", "backlog", "utilities")."""

    entity_type = models.CharField(max_length=40)
    entity_id = models.PositiveIntegerField()
    action = models.CharField(max_length=20)
    # {"field": [before, after], …} in plain JSON values, so the hash covers what changed.
    changes = models.JSONField(default=dict)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    chained_fields = ("entity_type", "entity_id", "action", "changes", "actor")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")
        indexes = [models.Index(fields=["entity_type", "entity_id"])]

    def __str__(self) -> str:
        return f"{self.chain} {self.entity_type}:{self.entity_id} {self.action}"

    def subjects(self) -> list[tuple[type[models.Model], int]]:
        """The ledger row the event is about, and for a "publish" the version it published."""
        model = _ENTITY_MODELS.get(self.entity_type)
        rows = [] if model is None else [(model, self.entity_id)]
        if self.action == "publish":
            _before, version = self.changes.get("version", [None, None])
            published = Disclosure.objects.filter(utility_id=self.entity_id, version=version)
            rows += [(Disclosure, pk) for pk in published.values_list("pk", flat=True)]
        return rows

    ACTION_LABELS = {
        "create": _("Created"),
        "update": _("Changed"),
        "resolve": _("Resolved"),
        "confirm": _("Confirmed by the enterprise"),
        "publish": _("Published a new version"),
    }

    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """What changed, as people read it: (field label, before, after), with choices shown
        by their labels and linked rows by their names."""
        models_with_fields = _EVENT_FIELD_MODELS.get(self.entity_type, ())
        out = []
        for name, (before, after) in self.changes.items():
            if before in (None, "") and after in (None, ""):
                continue  # a blank field of a new row says nothing
            field = _find_field(models_with_fields, name)
            if field is None:  # a field since removed: its stored name still tells
                out.append((name, before, after))
            else:
                label = str(field.verbose_name)
                out.append((label, _readable(field, before), _readable(field, after)))
        return out


def _find_field(candidates: tuple[type[models.Model], ...], name: str) -> models.Field | None:
    for model in candidates:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _readable(field: models.Field, value: object) -> object:
    if value is None or value == "":
        return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.related_model is not None:
        return field.related_model.objects.filter(pk=value).first() or value
    return value


# The model of each entity type, by its model name as the events store it.
_ENTITY_MODELS: dict[str, type[models.Model]] = {
    model._meta.model_name: model for model in (Enterprise, PromiseItem, BacklogCase, Utility)
}

# Where the fields named in each entity type's events are defined (a utility's "publish" event
# records the new disclosure's sections).
_EVENT_FIELD_MODELS: dict[str, tuple[type[models.Model], ...]] = {
    "enterprise": (Enterprise,),
    "promiseitem": (PromiseItem,),
    "backlogcase": (BacklogCase,),
    "utility": (Utility, Disclosure),
}
