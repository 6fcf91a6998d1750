"""Pre-aggregated figures behind the dashboard, one row per local day and unit (and channel,
category, rate or rating level). They are derived data: `civicdesk.dashboard.aggregate`
rebuilds any day from the cases, follow-ups and ratings, so rows carry no history of their own.
Summing rows over a range of days gives exactly the live figures of that period, as of the
moment of the refresh that wrote them.

Foreign keys are plain integers without database constraints: rows of a deleted unit or
category must not block that deletion, and the next refresh of those days drops them anyway.
"""

from django.db import models
from django.utils import timezone


class VolumeStat(models.Model):
    """Cases received on a day, per unit, channel and category."""

    day = models.DateField(db_index=True)
    unit_id = models.IntegerField(null=True)
    channel_id = models.IntegerField()
    category_id = models.IntegerField(null=True)
    # Every submission heard, duplicates included: the volume of what people said.
    received = models.PositiveIntegerField()
    # The same without merged duplicates: what the rates and the minimum-count rule count.
    counted = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "unit_id"])]

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id}: {self.received}"


class DayStat(models.Model):
    """Cases received on a day per unit: VolumeStat summed over channels and categories, kept
    apart because the per-day chart and the units' case counts read a year of it at once."""

    day = models.DateField(db_index=True)
    unit_id = models.IntegerField(null=True)
    received = models.PositiveIntegerField()
    counted = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id}: {self.received}"


class RateStat(models.Model):
    """Numerator and denominator of one rate (see evaluation.rates.DEFINITIONS) for the rows
    whose date of that rate falls on the day, per unit."""

    day = models.DateField(db_index=True)
    unit_id = models.IntegerField(null=True)
    rate = models.CharField(max_length=20)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id} {self.rate}: {self.numerator}/{self.denominator}"


class RatingStat(models.Model):
    """Counted window ratings (not excluded, not replaced by a re-rating) per day, window
    and level."""

    day = models.DateField(db_index=True)
    unit_id = models.IntegerField()
    level = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id} level {self.level}: {self.count}"


class PlaceStat(models.Model):
    """Cases with a place received on a day, per unit and map square: squares are a
    thousandth of a degree of latitude and longitude (about 100 m), numbered by
    ``floor(degrees * 1000)``."""

    day = models.DateField(db_index=True)
    unit_id = models.IntegerField(null=True)
    lat_square = models.IntegerField()
    lng_square = models.IntegerField()
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return (
            f"{self.day} unit {self.unit_id} ({self.lat_square}, {self.lng_square}): {self.count}"
        )


class Refresh(models.Model):
    """One refresh of the figures; the latest finished one says "as of when" the dashboard
    is, and where the next incremental refresh starts looking for changes."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False)
    days = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.days} days)"
