"""The public service catalogue and the staff's record of each service case.

Metric definitions (per item or unit, over a period of recorded_at):
- records: service records in the period;
- average visits: mean of `visits` over all records;
- share at most one visit: records with visits ≤ 1 / records;
- on-site completion rate: window records completed on the spot / window records;
- online share: online records / records;
- "run at most once" (最多跑一次) kept: the item promises at most one visit, there is at
  least one record, and no record in the period needed more than one visit.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit

MAX_VISITS_RECORDED = 20


class OnlineAvailability(models.TextChoices):
    NOT_ONLINE = "none", _("Not online")
    APPLICATION = "application", _("Online application")
    FULL = "full", _("Fully online")


class VisitsNeeded(models.IntegerChoices):
    NONE = 0, _("No visit")
    ONE = 1, _("At most one visit")
    MORE = 2, _("Two or more visits")


class Channel(models.TextChoices):
    WINDOW = "window", _("At the window")
    ONLINE = "online", _("Online")


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ENTERPRISE = "enterprise", _("Enterprise")


@dataclass(frozen=True)
class Metrics:
    """Catalogue figures from aggregated counts; rates are None when nothing was counted."""

    records: int = 0
    average_visits: float | None = None
    at_most_one: int = 0
    window_records: int = 0
    on_spot: int = 0
    online: int = 0
    over_one: int = 0
    promises_once: bool = True

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def at_most_one_share(self) -> float | None:
        return self._share(self.at_most_one, self.records)

    @property
    def on_spot_rate(self) -> float | None:
        return self._share(self.on_spot, self.window_records)

    @property
    def online_share(self) -> float | None:
        return self._share(self.online, self.records)

    @property
    def once_kept(self) -> bool | None:
        """True/False for items promising at most one visit, None when nothing to judge."""
        if not self.promises_once or not self.records:
            return None
        return self.over_one == 0


def _metric_aggregates(prefix: str = "", within: Q | None = None) -> dict:
    """The m_* aggregates over records reached through `prefix`, limited by `within`."""
    base = within or Q()

    def count(**conditions) -> Count:
        condition = base & Q(**{f"{prefix}{key}": value for key, value in conditions.items()})
        return Count(f"{prefix}id" if prefix else "id", filter=condition or None)

    return {
        "m_records": count(),
        "m_average": Avg(f"{prefix}visits", filter=within),
        "m_at_most_one": count(visits__lte=1),
        "m_window": count(channel=Channel.WINDOW),
        "m_on_spot": count(channel=Channel.WINDOW, completed_on_spot=True),
        "m_online": count(channel=Channel.ONLINE),
        "m_over_one": count(visits__gt=1),
    }


def metrics_from(row, *, promises_once: bool = True) -> Metrics:
    """Build Metrics from an object or dict carrying the m_* aggregates."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    average = get("m_average")
    return Metrics(
        records=get("m_records") or 0,
        average_visits=float(average) if average is not None else None,
        at_most_one=get("m_at_most_one") or 0,
        window_records=get("m_window") or 0,
        on_spot=get("m_on_spot") or 0,
        online=get("m_online") or 0,
        over_one=get("m_over_one") or 0,
        promises_once=promises_once,
    )


class ServiceItemQuerySet(models.QuerySet):
    def active(self) -> "ServiceItemQuerySet":
        return self.filter(is_active=True)

    def with_metrics(
        self, start: dt.datetime, end: dt.datetime, *, units: models.QuerySet | None = None
    ) -> "ServiceItemQuerySet":
        """Annotate m_* aggregates of the records with start ≤ recorded_at < end (and, when
        given, recorded at one of `units`)."""
        period = Q(records__recorded_at__gte=start, records__recorded_at__lt=end)
        if units is not None:
            period &= Q(records__unit__in=units)
        return self.annotate(**_metric_aggregates("records__", period))


class ServiceItem(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    materials = models.TextField(_("required materials"), blank=True, help_text=_("One per line."))
    legal_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"))
    promised_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    online = models.CharField(
        _("online availability"),
        max_length=20,
        choices=OnlineAvailability.choices,
        default=OnlineAvailability.NOT_ONLINE,
    )
    max_visits = models.PositiveSmallIntegerField(
        _("visits needed at most"), choices=VisitsNeeded.choices, default=VisitsNeeded.ONE
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_days__lte=models.F("legal_days")),
                name="catalogue_item_promise_within_legal",
                violation_error_message=_(
                    "The promised time limit cannot be longer than the legal time limit."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    @property
    def promises_once(self) -> bool:
        return self.max_visits <= VisitsNeeded.ONE


class ServiceRecordQuerySet(models.QuerySet):
    def in_period(self, start: dt.datetime, end: dt.datetime) -> "ServiceRecordQuerySet":
        return self.filter(recorded_at__gte=start, recorded_at__lt=end)

    def metrics(self, *, promises_once: bool = True) -> Metrics:
        return metrics_from(self.aggregate(**_metric_aggregates()), promises_once=promises_once)

    def metrics_by_unit(self) -> list[tuple[int, Metrics]]:
        """(unit id, Metrics) per unit, one grouped query."""
        rows = self.order_by().values("unit").annotate(**_metric_aggregates())
        return [(row["unit"], metrics_from(row)) for row in rows]


class ServiceRecord(models.Model):
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("window"), on_delete=models.PROTECT, related_name="service_records"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    visits = models.PositiveSmallIntegerField(_("visits made"))
    completed_on_spot = models.BooleanField(_("completed on the spot"), default=False)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WINDOW
    )
    applicant_type = models.CharField(
        _("applicant type"), max_length=12, choices=ApplicantType.choices, blank=True
    )

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        indexes = [
            models.Index(fields=["item", "recorded_at"]),
            models.Index(fields=["unit", "recorded_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel=Channel.WINDOW, visits__gte=1))
                | Q(channel=Channel.ONLINE, visits=0, completed_on_spot=False),
                name="catalogue_record_visits_match_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.recorded_at:%Y-%m-%d}"
