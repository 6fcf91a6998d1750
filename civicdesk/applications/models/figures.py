"""Pre-aggregated figures, kept up to date in the same transaction as the change they count,
so that the figures pages read a few hundred rows whatever the number of applications.

- StepFigure: per process step, how many passages were completed and the median and 90th
  percentile of their handling time and of their queue (arrival to being taken up). Exact
  values, recomputed from the indexed step runs each time a passage of the step completes.
- DailyFigure: per version, unit and local day, the sums over the applications finished that
  day; periods and versions add rows up.
"""

from django.db import models
from django.utils import timezone

from civicdesk.accounts.models import Unit
from civicdesk.applications.models.matters import MatterVersion, ProcessStep
from civicdesk.catalogue.models import ServiceItem


class StepFigure(models.Model):
    step = models.OneToOneField(
        ProcessStep, on_delete=models.CASCADE, primary_key=True, related_name="figure"
    )
    completed = models.PositiveIntegerField(default=0)
    handle_median = models.PositiveBigIntegerField(null=True, blank=True)
    handle_p90 = models.PositiveBigIntegerField(null=True, blank=True)
    queue_median = models.PositiveBigIntegerField(null=True, blank=True)
    queue_p90 = models.PositiveBigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.step)


class DailyFigure(models.Model):
    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    # The unit that accepted the applications (their window, else the acceptance step's unit).
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    finished = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    at_most_one = models.PositiveIntegerField(default=0)
    over_one = models.PositiveIntegerField(default=0)
    window = models.PositiveIntegerField(default=0)
    on_spot = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    steps = models.PositiveIntegerField(default=0)
    notices = models.PositiveIntegerField(default=0)
    late_requests = models.PositiveIntegerField(default=0)
    applicant_wait_seconds = models.PositiveBigIntegerField(default=0)
    # Seconds from submission to the end, summed (for the average time to finish).
    elapsed_seconds = models.PositiveBigIntegerField(default=0)

    COUNTERS = (
        "finished",
        "issued",
        "refused",
        "visits",
        "at_most_one",
        "over_one",
        "window",
        "on_spot",
        "online",
        "steps",
        "notices",
        "late_requests",
        "applicant_wait_seconds",
        "elapsed_seconds",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit", "day"], name="applications_one_figure_row_per_day"
            )
        ]
        indexes = [models.Index(fields=["item", "day"]), models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.version} {self.unit} {self.day}"
