"""What the dashboard shows, read from the pre-aggregated rows (models.py) and, for the
small tables (problems, measures) and the map's latest points, from the live ones.

Every function takes a `Scope`: a period of local days and optionally a unit, whose subtree
it covers. Without a unit everything counts, cases not yet routed to a unit included.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.cases.models import Category
from civicdesk.commitments.models import Measure, MeasureStatus
from civicdesk.dashboard.aggregate import SQUARES_PER_DEGREE, local_midnight
from civicdesk.dashboard.models import DayStat, PlaceStat, RateStat, RatingStat, VolumeStat
from civicdesk.evaluation import rates
from civicdesk.evaluation.rates import Figure, Ranking, UnitRates
from civicdesk.intake.models import Channel
from civicdesk.problems.models import Problem
from civicdesk.problems.services import problem_heats

TREND_MONTHS = 12
MAP_SQUARES = 1000
TOP_PROBLEMS = 30


@dataclass(frozen=True)
class Scope:
    since: date
    # The day after the last day: periods are half-open like everywhere in the rates.
    end: date
    unit: Unit | None = None

    @cached_property
    def unit_ids(self) -> list[int] | None:
        """Ids of the unit's subtree, or None for "everything"."""
        if self.unit is None:
            return None
        return list(Unit.objects.subtree_of(self.unit).values_list("pk", flat=True))

    def rows(self, queryset: QuerySet, since: date | None = None) -> QuerySet:
        """Pre-aggregated rows of the scope (from `since` instead of the period's start)."""
        queryset = queryset.filter(day__gte=since or self.since, day__lt=self.end)
        if self.unit_ids is not None:
            queryset = queryset.filter(unit_id__in=self.unit_ids)
        return queryset


@dataclass
class Share:
    """One bar or slice: what it is, how many, and the drill-down filter behind it."""

    key: object
    label: str
    count: int
    drill: dict = field(default_factory=dict)
    # Filled in by the staff dashboard: where the number leads.
    url: str = ""


@dataclass
class Volume:
    total: int
    by_channel: list[Share]
    by_aspect: list[Share]
    by_category: list[Share]
    by_day: list[Share]


def _category_labels() -> tuple[dict[int, Category], dict[int, Category]]:
    """Categories by id, and each category's aspect (its top-level ancestor)."""
    categories = {c.pk: c for c in Category.objects.all()}

    def aspect(category: Category) -> Category:
        while category.parent_id is not None and category.parent_id in categories:
            category = categories[category.parent_id]
        return category

    return categories, {pk: aspect(c) for pk, c in categories.items()}


def aspect_category_ids(aspect_id: int) -> list[int]:
    """The aspect and every category below it."""
    _categories, aspects = _category_labels()
    return [pk for pk, aspect in aspects.items() if aspect.pk == aspect_id]


def volume(scope: Scope, uncategorised: str) -> Volume:
    """Cases received in the scope by channel, aspect, category and day (duplicates too)."""
    combos = (
        scope.rows(VolumeStat.objects)
        .values("channel_id", "category_id")
        .annotate(n=Sum("received"))
        .order_by()
    )
    channels = {c.pk: c for c in Channel.objects.all()}
    categories, aspects = _category_labels()
    by_channel: dict[int, int] = defaultdict(int)
    by_category: dict[int | None, int] = defaultdict(int)
    by_aspect: dict[int | None, int] = defaultdict(int)
    for row in combos:
        by_channel[row["channel_id"]] += row["n"]
        by_category[row["category_id"]] += row["n"]
        aspect = aspects.get(row["category_id"])
        by_aspect[aspect.pk if aspect else None] += row["n"]

    def shares(counts, names, drill_key) -> list[Share]:
        result = [
            Share(
                key=pk,
                label=str(names[pk]) if pk in names else uncategorised,
                count=n,
                drill={drill_key: pk if pk is not None else "none"},
            )
            for pk, n in counts.items()
        ]
        return sorted(result, key=lambda s: (-s.count, s.label))

    days = dict(
        scope.rows(DayStat.objects)
        .values("day")
        .annotate(n=Sum("received"))
        .order_by()
        .values_list("day", "n")
    )
    by_day = []
    day = scope.since
    while day < scope.end:
        by_day.append(
            Share(key=day, label=day.isoformat(), count=days.get(day, 0), drill={"day": day})
        )
        day += timedelta(days=1)
    return Volume(
        total=sum(by_channel.values()),
        by_channel=shares(by_channel, channels, "channel"),
        by_aspect=shares(by_aspect, categories, "aspect"),
        by_category=shares(by_category, categories, "category"),
        by_day=by_day,
    )


def _sums_by_unit(scope: Scope) -> tuple[dict[int | None, dict[str, Figure]], dict]:
    """Each unit's own figures (not its subtree's) and counted cases in the scope."""
    figures: dict[int | None, dict[str, Figure]] = defaultdict(dict)
    grouped = (
        scope.rows(RateStat.objects)
        .values("unit_id", "rate")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by()
    )
    for row in grouped:
        figures[row["unit_id"]][row["rate"]] = Figure(row["numerator"], row["denominator"])
    counted = dict(
        scope.rows(DayStat.objects)
        .values("unit_id")
        .annotate(n=Sum("counted"))
        .order_by()
        .values_list("unit_id", "n")
    )
    return figures, counted


def _add(a: Figure | None, b: Figure) -> Figure:
    return b if a is None else Figure(a.numerator + b.numerator, a.denominator + b.denominator)


def table_units(scope: Scope) -> list[Unit]:
    """The rows of the rates table: the chosen unit's children, or the appraised units."""
    if scope.unit is None or scope.unit.parent_id is None:
        return list(rates.appraised_units())
    return list(Unit.objects.active().filter(parent=scope.unit))


def unit_table(scope: Scope) -> tuple[UnitRates, Ranking]:
    """The scope's own rates (the total row) and its units' rates ranked like the appraisal
    table, minimum-count rule included."""
    figures, counted = _sums_by_unit(scope)
    units = {u.pk: u for u in Unit.objects.all()}
    rows = {u.pk: UnitRates(unit=u, case_count=0) for u in table_units(scope)}
    total = UnitRates(unit=scope.unit, case_count=0)
    for unit_id in set(figures) | set(counted):
        leaf = units.get(unit_id)
        targets = [total]
        if leaf is not None:
            targets += [r for r in rows.values() if leaf.path.startswith(r.unit.path)]
        for target in targets:
            target.case_count += counted.get(unit_id, 0)
            for name, figure in figures.get(unit_id, {}).items():
                target.figures[name] = _add(target.figures.get(name), figure)
    for row in [total, *rows.values()]:
        for name in rates.ALL_FIGURES:
            row.figures.setdefault(name, Figure(0, 0))
    return total, rates.rank_rows(list(rows.values()), rates.min_cases())


def _month_start(day: date, months_back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


def trend(scope: Scope) -> list[tuple[date, dict[str, Figure]]]:
    """The scope unit's rates per month, for the months up to the period's last day."""
    last_day = scope.end - timedelta(days=1)
    first = _month_start(last_day, TREND_MONTHS - 1)
    months = [_month_start(last_day, n) for n in range(TREND_MONTHS - 1, -1, -1)]
    sums: dict[date, dict[str, Figure]] = {m: {} for m in months}
    grouped = (
        scope.rows(RateStat.objects, since=first)
        .values("day", "rate")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by()
    )
    for row in grouped:
        month = sums[_month_start(row["day"])]
        month[row["rate"]] = _add(
            month.get(row["rate"]), Figure(row["numerator"], row["denominator"])
        )
    return [(m, sums[m]) for m in months]


def rating_levels(scope: Scope) -> dict[int, int]:
    """Counted window ratings in the scope per level (1 to 5)."""
    counts = dict(
        scope.rows(RatingStat.objects)
        .values("level")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("level", "n")
    )
    return {level: counts.get(level, 0) for level in range(5, 0, -1)}


# What the commitments chart shows, from the measures due in the period.
DONE_ON_TIME, DONE_LATE, OVERDUE, NOT_YET_DUE = "done_on_time", "done_late", "overdue", "open"
DONE_STATUSES = (MeasureStatus.DONE, MeasureStatus.VERIFIED, MeasureStatus.CLOSED)
MEASURE_STATES = [
    (DONE_ON_TIME, _("Done on time")),
    (DONE_LATE, _("Done late")),
    (OVERDUE, _("Overdue")),
    (NOT_YET_DUE, _("Open, not yet due")),
]


def measures_in_scope(scope: Scope) -> QuerySet:
    measures = Measure.objects.filter(deadline__gte=scope.since, deadline__lt=scope.end)
    if scope.unit is not None:
        measures = measures.for_unit_subtree(scope.unit)
    return measures


def measure_filters(today: date | None = None) -> dict[str, Q]:
    """The four states of a measure due in the period, as filters that do not overlap."""
    today = today or timezone.localdate()
    done = Q(status__in=DONE_STATUSES)
    # done_at is a moment; the deadline is a day, kept until its end in the district.
    return {
        DONE_ON_TIME: done & Q(done_at__date__lte=F("deadline")),
        DONE_LATE: done & Q(done_at__date__gt=F("deadline")),
        OVERDUE: ~done & Q(deadline__lt=today),
        NOT_YET_DUE: ~done & Q(deadline__gte=today),
    }


def commitments(scope: Scope) -> dict[str, int]:
    return measures_in_scope(scope).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in measure_filters().items()}
    )


def top_problems(scope: Scope) -> list[Problem]:
    """The prominent problems (of the unit: led or co-operated by its subtree), hottest first:
    heat by the triage engine's formula over the cases linked to each problem and received in
    the period, and how many those are."""
    problems = Problem.objects.all()
    if scope.unit is not None:
        problems = problems.filter(
            Q(lead_unit_id__in=scope.unit_ids) | Q(co_units__in=scope.unit_ids)
        ).distinct()
    problems = list(problems.only("pk", "title"))
    heats = problem_heats(
        [p.pk for p in problems],
        start=local_midnight(scope.since),
        end=local_midnight(scope.end),
    )
    for problem in problems:
        problem.heat, problem.case_count = heats[problem.pk].heat, heats[problem.pk].cases
    problems.sort(key=lambda p: (-p.heat, -p.case_count, p.pk))
    return problems[:TOP_PROBLEMS]


def map_squares(scope: Scope) -> list[dict]:
    """Cases with a place (snap-and-report) per map square of about 100 m, the busiest
    `MAP_SQUARES` squares of the scope."""
    rows = (
        scope.rows(PlaceStat.objects)
        .values("lat_square", "lng_square")
        .annotate(n=Sum("count"))
        .order_by("-n", "lat_square", "lng_square")[:MAP_SQUARES]
    )
    half = 0.5 / SQUARES_PER_DEGREE
    return [
        {
            "square": f"{row['lat_square']},{row['lng_square']}",
            "lat": round(row["lat_square"] / SQUARES_PER_DEGREE + half, 6),
            "lng": round(row["lng_square"] / SQUARES_PER_DEGREE + half, 6),
            "count": row["n"],
        }
        for row in rows
    ]


def square_bounds(square: tuple[int, int]) -> dict[str, Decimal]:
    """Filters on a submission's place that select one map square."""
    lat, lng = (Decimal(n) / SQUARES_PER_DEGREE for n in square)
    step = Decimal(1) / SQUARES_PER_DEGREE
    return {
        "submission__latitude__gte": lat,
        "submission__latitude__lt": lat + step,
        "submission__longitude__gte": lng,
        "submission__longitude__lt": lng + step,
    }
