"""Work orders as a 12345 centre runs them, as data: grids within units, dispatch rules,
co-handling units with their parts of the answer, return reasons, and requests to extend or
suspend a case's deadline.

Imported by ``cases.models``; the rules that use these rows are in ``dispatch``, ``returns``
and ``extensions``.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.core.textnorm import normalize_for_search


def _places(text: str) -> list[str]:
    """The place names of a `places` field (one per line), normalised as addresses are."""
    return [normalize_for_search(line) for line in text.splitlines() if line.strip()]


class PlacesMixin(models.Model):
    """A part of the district described by the place names its addresses contain."""

    places = models.TextField(
        _("place names"),
        blank=True,
        help_text=_(
            "One per line: streets, estates, villages or landmarks whose addresses lie here."
        ),
    )

    class Meta:
        abstract = True

    def longest_place_in(self, address: str) -> int:
        """Length of the longest of its place names found in the address (0: none)."""
        text = normalize_for_search(address or "")
        return max((len(place) for place in _places(self.places) if place in text), default=0)


class Grid(PlacesMixin):
    """A grid (网格) of a unit: the part of its territory one grid worker looks after. A case
    given to a unit may be given on to one of its grids."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="grids", verbose_name=_("unit")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    # The grid worker (网格员) who takes its cases, if the grid has one in civicdesk.
    worker = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grids",
        verbose_name=_("grid worker"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit__path", "code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return self.name


class Area(PlacesMixin):
    """A part of the district as dispatch rules name it (属地): e.g. a street's territory."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class DispatchRuleQuerySet(models.QuerySet):
    def active(self) -> "DispatchRuleQuerySet":
        return self.filter(is_active=True, unit__is_active=True)


class DispatchRule(models.Model):
    """Category and area → unit: applied to every new case (``dispatch.auto_dispatch``). A
    rule names a category (an aspect covers its categories), an area, or both."""

    category = models.ForeignKey(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("area"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    # Among rules that match equally well, the lower number wins.
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = DispatchRuleQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=False) | Q(area__isnull=False),
                name="dispatch_rule_names_category_or_area",
            )
        ]
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")

    def __str__(self) -> str:
        parts = [str(part) for part in (self.category, self.area) if part is not None]
        return f"{' + '.join(parts)} → {self.unit}"


class CoUnit(models.Model):
    """A unit that co-handles a case (协办): it answers its part; the lead unit (the case's
    unit, 主办) gives the official answer once every part is in or waived."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="co_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="co_handled")
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    part = models.TextField(_("part of the answer"), blank=True)
    part_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    part_at = models.DateTimeField(null=True, blank=True)
    # A supervisor's decision that the lead unit may answer without this part, and why.
    waived_reason = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="one_co_unit_row_per_unit")
        ]
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.unit}"

    @property
    def is_in(self) -> bool:
        """Its part is given, or a supervisor waived it."""
        return self.part_at is not None or self.waived_at is not None


class ReturnReason(models.Model):
    """Why a unit may send a case back (退单理由), chosen from this list."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    # "Other": the unit must say what, in words.
    needs_explanation = models.BooleanField(_("needs an explanation"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")

    def __str__(self) -> str:
        return self.name


class ClockRequestKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")
    SUSPENSION = "suspension", _("Suspension")


class ClockRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a supervisor")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    # The case left the unit (returned, reassigned, merged) or was answered before a decision.
    WITHDRAWN = "withdrawn", _("Request withdrawn")


class SuspensionGround(models.TextChoices):
    """What a suspended case waits for."""

    COURT = "court", _("A court or arbitration ruling")
    SURVEY = "survey", _("A survey, inspection or expert appraisal")
    REPORTER = "reporter", _("The reporter (documents, access, an appointment)")
    AUTHORITY = "authority", _("Another authority's decision")


class ClockRequestQuerySet(models.QuerySet):
    def pending(self) -> "ClockRequestQuerySet":
        return self.filter(status=ClockRequestStatus.PENDING)

    def running_suspensions(self) -> "ClockRequestQuerySet":
        return self.filter(
            kind=ClockRequestKind.SUSPENSION,
            status=ClockRequestStatus.APPROVED,
            resumed_at__isnull=True,
        )


class ClockRequest(models.Model):
    """A unit's request to extend (延期) or suspend (挂起) a case's answer deadline, and the
    supervisor's decision. An approved suspension runs until the case is resumed."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="clock_requests")
    kind = models.CharField(_("kind"), max_length=12, choices=ClockRequestKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(
        _("waiting for"), max_length=12, choices=SuspensionGround.choices, blank=True
    )
    reason = models.TextField(_("reason"))
    # Extension: the new answer deadline. Suspension: the day the case should be resumed.
    new_date = models.DateField(_("new date"))
    # The deadlines when the unit asked: a suspension's deadlines are worked out from them,
    # first for the days planned, then for the days it really lasted.
    previous_due_at = models.DateTimeField()
    previous_response_due_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=12, choices=ClockRequestStatus.choices, default=ClockRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Working days the suspension stops the clock for as approved (until `new_date`), and as
    # it really did once resumed.
    planned_days = models.PositiveIntegerField(null=True, blank=True)
    suspended_days = models.PositiveIntegerField(null=True, blank=True)

    objects = ClockRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="one_pending_clock_request_per_case",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind="suspension", status="approved", resumed_at__isnull=True),
                name="one_running_suspension_per_case",
            ),
        ]
        verbose_name = _("extension or suspension request")
        verbose_name_plural = _("extension and suspension requests")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"
