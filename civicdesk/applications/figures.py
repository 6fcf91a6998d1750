"""Process figures: kept current by the services, read by the figures pages and the catalogue.

Definitions (docs/benchmarks.md repeats them with the measurements):
- handling time of a step: from the application's arrival at the step to the step's
  completion, less the time it waited for the applicant meanwhile;
- queue (waiting time) of a step: from arrival to an official taking it up (the whole
  handling time when nobody took it up before completing it);
- median and 90th percentile: nearest rank (the smallest value with at least 50 % / 90 % of
  the passages at or below it), exact, over every completed passage of the step (the queue:
  over every passage taken up, finished or not);
- steps per application, notices, materials asked for after the first notice, visits and the
  applicant's waiting time: over the applications finished (issued, refused or withdrawn),
  summed per day in DailyFigure.
"""

import datetime as dt
import math
from dataclasses import dataclass, fields

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from civicdesk.applications.models import (
    Application,
    DailyFigure,
    MatterVersion,
    ProcessStep,
    StepFigure,
    StepRun,
)
from civicdesk.applications.workflow import Status
from civicdesk.catalogue.models import Channel, Metrics


def nearest_rank(count: int, share: float) -> int:
    """The 0-based position of the `share` percentile among `count` sorted values."""
    return max(0, math.ceil(share * count) - 1)


def _percentile(runs, column: str, count: int, share: float) -> int | None:
    """The value at the nearest rank, read from the (step, column) index: from the low end
    for a rank in the lower half, from the high end otherwise, so that the 90th percentile
    steps over a tenth of the entries, not nine tenths."""
    if not count:
        return None
    position = nearest_rank(count, share)
    if position < count // 2:
        ordered, offset = runs.order_by(column), position
    else:
        ordered, offset = runs.order_by(f"-{column}"), count - 1 - position
    values = ordered.values_list(column, flat=True)[offset : offset + 1]
    return next(iter(values), None)


def step_figure_refresh(step_id: int) -> StepFigure:
    """Recompute one step's figure from its completed passages (indexed: two ordered reads
    per measure). Locked, so that two completions of one step count each other."""
    figure, _created = StepFigure.objects.get_or_create(step_id=step_id)
    figure = StepFigure.objects.select_for_update().get(pk=figure.pk)
    # A completed passage has both times; each is read from its own (step, time) index alone.
    handled = StepRun.objects.filter(step_id=step_id, handle_seconds__isnull=False)
    queued = StepRun.objects.filter(step_id=step_id, queue_seconds__isnull=False)
    count = handled.count()
    queue_count = queued.count()
    figure.completed = count
    figure.handle_median = _percentile(handled, "handle_seconds", count, 0.5)
    figure.handle_p90 = _percentile(handled, "handle_seconds", count, 0.9)
    figure.queue_median = _percentile(queued, "queue_seconds", queue_count, 0.5)
    figure.queue_p90 = _percentile(queued, "queue_seconds", queue_count, 0.9)
    figure.updated_at = timezone.now()
    figure.save()
    return figure


def figure_unit_id(application: Application) -> int:
    """The unit an application is counted at: its window, else its acceptance step's unit."""
    if application.window_id is not None:
        return application.window_id
    return application.version.first_step.unit_id


def _counts(application: Application) -> dict[str, int]:
    visits = application.visit_count
    finished = application.finished_at or timezone.now()
    return {
        "finished": 1,
        "issued": int(application.status == Status.ISSUED),
        "refused": int(application.status == Status.REFUSED),
        "visits": visits,
        "at_most_one": int(visits <= 1),
        "over_one": int(visits > 1),
        "window": int(application.channel == Channel.WINDOW),
        "on_spot": int(application.on_spot),
        "online": int(application.channel == Channel.ONLINE),
        "steps": application.steps_done,
        "notices": application.notice_count,
        "late_requests": application.late_requests,
        "applicant_wait_seconds": application.applicant_wait_seconds,
        "elapsed_seconds": max(0, int((finished - application.submitted_at).total_seconds())),
    }


def _add(row_key: dict, counts: dict[str, int]) -> None:
    DailyFigure.objects.get_or_create(**row_key)
    DailyFigure.objects.filter(**row_key).update(
        **{name: F(name) + value for name, value in counts.items() if value}
    )


def application_finished(application: Application) -> None:
    """Count a finished application in its day's row (inside the finishing transaction)."""
    _add(_row_key(application), _counts(application))


def _row_key(application: Application) -> dict:
    return {
        "version_id": application.version_id,
        "item_id": application.item_id,
        "unit_id": figure_unit_id(application),
        "day": timezone.localdate(application.finished_at),
    }


def visits_changed(application: Application, before: int) -> None:
    """A visit recorded after the application finished changes its day's counts."""
    after = application.visit_count
    if application.finished_at is None or after == before:
        return
    _add(
        _row_key(application),
        {
            "visits": after - before,
            "at_most_one": int(after <= 1) - int(before <= 1),
            "over_one": int(after > 1) - int(before > 1),
        },
    )


@transaction.atomic
def rebuild(*, versions=None) -> int:
    """Recompute every figure from the applications and step runs (after a bulk load, or to
    check the kept figures); returns the number of day rows written."""
    applications = Application.objects.finished().select_related("version")
    steps = ProcessStep.objects.all()
    rows = DailyFigure.objects.all()
    if versions is not None:
        applications = applications.filter(version__in=versions)
        steps = steps.filter(version__in=versions)
        rows = rows.filter(version__in=versions)
    rows.delete()
    first_units = {step.version_id: step.unit_id for step in ProcessStep.objects.filter(position=1)}
    totals: dict[tuple, dict[str, int]] = {}
    for application in applications.iterator(chunk_size=2000):
        unit = application.window_id or first_units[application.version_id]
        key = (
            application.version_id,
            application.item_id,
            unit,
            timezone.localdate(application.finished_at),
        )
        sums = totals.setdefault(key, dict.fromkeys(DailyFigure.COUNTERS, 0))
        for name, value in _counts(application).items():
            sums[name] += value
    DailyFigure.objects.bulk_create(
        DailyFigure(version_id=v, item_id=i, unit_id=u, day=d, **sums)
        for (v, i, u, d), sums in totals.items()
    )
    for step_id in steps.values_list("pk", flat=True):
        step_figure_refresh(step_id)
    return len(totals)


# --- Reading -----------------------------------------------------------------------------


@dataclass
class Totals:
    """Sums over finished applications, with the averages and shares the pages show."""

    finished: int = 0
    issued: int = 0
    refused: int = 0
    visits: int = 0
    at_most_one: int = 0
    over_one: int = 0
    window: int = 0
    on_spot: int = 0
    online: int = 0
    steps: int = 0
    notices: int = 0
    late_requests: int = 0
    applicant_wait_seconds: int = 0
    elapsed_seconds: int = 0

    def _per(self, value: int) -> float | None:
        return value / self.finished if self.finished else None

    @property
    def steps_per_application(self) -> float | None:
        return self._per(self.steps)

    @property
    def notices_per_application(self) -> float | None:
        return self._per(self.notices)

    @property
    def average_visits(self) -> float | None:
        return self._per(self.visits)

    @property
    def applicant_wait_days(self) -> float | None:
        average = self._per(self.applicant_wait_seconds)
        return None if average is None else average / 86400

    @property
    def elapsed_days(self) -> float | None:
        average = self._per(self.elapsed_seconds)
        return None if average is None else average / 86400

    def metrics(self, *, promises_once: bool = True) -> Metrics:
        """The catalogue's figures ("run at most once" and the rest) from these sums."""
        return Metrics(
            records=self.finished,
            average_visits=self.average_visits,
            at_most_one=self.at_most_one,
            window_records=self.window,
            on_spot=self.on_spot,
            online=self.online,
            over_one=self.over_one,
            promises_once=promises_once,
        )


_SUMS = {name: Sum(name) for name in DailyFigure.COUNTERS}


def _totals(row: dict) -> Totals:
    return Totals(**{f.name: row.get(f.name) or 0 for f in fields(Totals)})


def totals_by(group: str, rows) -> dict[int, Totals]:
    """Totals per value of `group` ("version", "item" or "unit") over these day rows."""
    grouped = rows.order_by().values(group).annotate(**_SUMS)
    return {row[group]: _totals(row) for row in grouped}


def day_rows(start: dt.date | None = None, end: dt.date | None = None):
    rows = DailyFigure.objects.all()
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lte=end)
    return rows


@dataclass
class StepTimes:
    step: ProcessStep
    completed: int
    handle_median: int | None
    handle_p90: int | None
    queue_median: int | None
    queue_p90: int | None


def step_times(versions: list[MatterVersion]) -> dict[int, list[StepTimes]]:
    """Per version, its steps in order with their figures (None where nothing completed)."""
    steps = (
        ProcessStep.objects.filter(version__in=versions)
        .select_related("unit", "figure")
        .order_by("version", "position")
    )
    result: dict[int, list[StepTimes]] = {version.pk: [] for version in versions}
    for step in steps:
        figure = getattr(step, "figure", None)
        result[step.version_id].append(
            StepTimes(
                step=step,
                completed=figure.completed if figure else 0,
                handle_median=figure.handle_median if figure else None,
                handle_p90=figure.handle_p90 if figure else None,
                queue_median=figure.queue_median if figure else None,
                queue_p90=figure.queue_p90 if figure else None,
            )
        )
    return result
