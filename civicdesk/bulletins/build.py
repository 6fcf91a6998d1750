"""Bulletins (通报): the district-wide prominent-problem list and the progress bulletin for a
period, gathered into plain data that the XLSX and DOCX writers turn into documents.

What a period means here:

- the problems are those on the list by the end of the period (created on or before its last
  day), grouped by aspect, the top-level category;
- linked cases are all cases linked to a problem, merged duplicates left out;
- "answered in the period" counts linked cases answered between the first and the last day;
- "overdue" counts linked cases past the deadline of their stage at the end of the period (or
  now, if the period has not ended yet);
- progress (progress bulletin only) is the weighted mean of the problem's measures' progress
  when the commitments app provides measures, else the answered share of its linked cases.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Prefetch
from django.utils import timezone

from civicdesk.cases.models import Case, Category
from civicdesk.cases.workflow import Status
from civicdesk.problems.models import Campaign, Problem

PROBLEM_LIST = "problem-list"
PROGRESS = "progress"
KINDS = (PROBLEM_LIST, PROGRESS)

BASIS_MEASURES = "measures"
BASIS_CASES = "cases"

UNCATEGORISED = "未分类"
ANSWERED_STATUSES = frozenset({Status.ANSWERED, Status.CLOSED})
FINISHED_MEASURE_STATUSES = frozenset({"done", "verified", "closed"})


@dataclass
class ProblemRow:
    number: int
    title: str
    aspect: str
    category: str
    cases_by_channel: dict[str, int]
    n_cases: int
    n_answered: int
    n_overdue: int
    lead_unit: str
    co_units: list[str]
    official: str
    campaigns: list[str]
    # Progress bulletin only.
    progress: float | None = None
    basis: str = ""
    n_measures: int = 0
    n_overdue_measures: int = 0


@dataclass
class AspectGroup:
    name: str
    problems: list[ProblemRow] = field(default_factory=list)


@dataclass
class UnitRow:
    name: str
    n_led: int = 0
    n_co: int = 0
    n_cases: int = 0
    n_answered: int = 0
    n_overdue: int = 0
    progress: float | None = None
    n_overdue_measures: int = 0


@dataclass
class CampaignRow:
    name: str
    n_problems: int = 0
    n_cases: int = 0
    n_answered: int = 0
    n_overdue: int = 0
    progress: float | None = None
    n_overdue_measures: int = 0


@dataclass
class BulletinData:
    kind: str
    period_start: date
    period_end: date
    generated_on: date
    # Progress bulletin: BASIS_MEASURES when the commitments app provides measures.
    basis: str
    channels: list[str]
    aspects: list[AspectGroup]
    units: list[UnitRow]
    campaigns: list[CampaignRow]
    n_problems: int
    n_cases: int
    n_answered: int
    n_overdue: int
    n_overdue_measures: int = 0

    @property
    def problems(self) -> list[ProblemRow]:
        return [row for group in self.aspects for row in group.problems]


def measure_model():
    """The commitments app's Measure model, or None while that app does not provide it."""
    if not apps.is_installed("civicdesk.commitments"):
        return None
    try:
        return apps.get_model("commitments", "Measure")
    except LookupError:
        return None


def problem_list_bulletin(period_start: date, period_end: date) -> BulletinData:
    return _build(PROBLEM_LIST, period_start, period_end)


def progress_bulletin(period_start: date, period_end: date) -> BulletinData:
    return _build(PROGRESS, period_start, period_end)


def build_bulletin(kind: str, period_start: date, period_end: date) -> BulletinData:
    if kind not in KINDS:
        raise ValueError(f"Unknown bulletin kind: {kind}")
    return _build(kind, period_start, period_end)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _aspect_of(category_id: int | None, categories: dict[int, Category]) -> Category | None:
    """The top-level ancestor (the aspect) of a category."""
    category = categories.get(category_id) if category_id else None
    seen: set[int] = set()
    while category is not None and category.parent_id in categories and category.pk not in seen:
        seen.add(category.pk)
        category = categories[category.parent_id]
    return category


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    """Mean of (value, weight) pairs; equal weights when all weights are zero."""
    if not pairs:
        return None
    total_weight = sum(weight for _, weight in pairs)
    if total_weight > 0:
        return sum(value * weight for value, weight in pairs) / total_weight
    return sum(value for value, _ in pairs) / len(pairs)


def _measures_by_problem(model, problem_ids: list[int]) -> dict[int, list[tuple]]:
    """Per problem: (progress, weight, overdue) of each measure."""
    today = timezone.localdate()
    now = timezone.now()
    found: dict[int, list] = defaultdict(list)
    for measure in model.objects.filter(problem_id__in=problem_ids).values(
        "problem_id", "progress", "weight", "deadline", "status"
    ):
        deadline = measure["deadline"]
        if isinstance(deadline, datetime):
            late = deadline < now
        else:
            late = deadline is not None and deadline < today
        overdue = late and measure["status"] not in FINISHED_MEASURE_STATUSES
        weight = float(measure["weight"] if measure["weight"] is not None else 1)
        found[measure["problem_id"]].append((float(measure["progress"] or 0), weight, overdue))
    return found


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _build(kind: str, period_start: date, period_end: date) -> BulletinData:
    start = _day_start(period_start)
    end = _day_start(period_end + timedelta(days=1))
    as_of = min(timezone.now(), end)

    linked = Case.objects.exclude(status=Status.MERGED).select_related("submission__channel")
    problems = list(
        Problem.objects.filter(created_at__lt=end)
        .select_related("lead_unit")
        .prefetch_related(Prefetch("cases", queryset=linked), "co_units", "campaigns")
        .order_by("created_at", "id")
    )
    problem_ids = [problem.pk for problem in problems]
    case_scope = Case.objects.filter(problems__in=problem_ids).exclude(status=Status.MERGED)
    answered_ids = set(
        case_scope.filter(
            status__in=ANSWERED_STATUSES, answered_at__gte=start, answered_at__lt=end
        ).values_list("pk", flat=True)
    )
    overdue_ids = set(case_scope.overdue(now=as_of).values_list("pk", flat=True))
    categories = {category.pk: category for category in Category.objects.all()}

    basis = ""
    measures: dict[int, list] = {}
    if kind == PROGRESS:
        model = measure_model()
        basis = BASIS_MEASURES if model is not None else BASIS_CASES
        if model is not None:
            measures = _measures_by_problem(model, problem_ids)

    channel_totals: Counter[str] = Counter()
    channel_order: dict[str, tuple] = {}
    groups: dict[int | None, AspectGroup] = {}
    group_order: dict[int | None, tuple] = {}
    unit_rows: dict[int, UnitRow] = {}
    unit_order: dict[int, str] = {}
    unit_cases: dict[int, set[int]] = defaultdict(set)
    unit_progress: dict[int, list[float]] = defaultdict(list)
    campaign_rows = {
        campaign.pk: CampaignRow(name=campaign.name) for campaign in Campaign.objects.all()
    }
    campaign_cases: dict[int, set[int]] = defaultdict(set)
    campaign_progress: dict[int, list[float]] = defaultdict(list)
    all_cases: set[int] = set()
    n_overdue_measures = 0

    def unit_row(unit) -> UnitRow:
        if unit.pk not in unit_rows:
            unit_rows[unit.pk] = UnitRow(name=unit.name)
            unit_order[unit.pk] = unit.path
        return unit_rows[unit.pk]

    for problem in problems:
        cases = list(problem.cases.all())
        case_ids = {case.pk for case in cases}
        all_cases |= case_ids
        by_channel: Counter[str] = Counter()
        for case in cases:
            channel = case.submission.channel
            by_channel[channel.name] += 1
            channel_order[channel.name] = (channel.sort_order, channel.code)
        channel_totals.update(by_channel)
        n_answered = len(case_ids & answered_ids)
        n_overdue = len(case_ids & overdue_ids)

        row = ProblemRow(
            number=0,
            title=problem.title,
            aspect="",
            category=categories[problem.category_id].name if problem.category_id else "",
            cases_by_channel=dict(sorted(by_channel.items(), key=lambda i: channel_order[i[0]])),
            n_cases=len(case_ids),
            n_answered=n_answered,
            n_overdue=n_overdue,
            lead_unit=problem.lead_unit.name if problem.lead_unit else "",
            co_units=[unit.name for unit in problem.co_units.all()],
            official=problem.responsible_official,
            campaigns=[campaign.name for campaign in problem.campaigns.all()],
        )
        if kind == PROGRESS:
            problem_measures = measures.get(problem.pk, [])
            if problem_measures:
                row.basis = BASIS_MEASURES
                row.progress = _weighted_mean([(p, w) for p, w, _ in problem_measures])
                row.n_measures = len(problem_measures)
                row.n_overdue_measures = sum(1 for *_, late in problem_measures if late)
            else:
                row.basis = BASIS_CASES
                # Every answer counts here, not only those of the period: progress so far.
                done = sum(1 for case in cases if case.status in ANSWERED_STATUSES)
                row.progress = 100.0 * done / len(cases) if cases else None
            n_overdue_measures += row.n_overdue_measures

        aspect = _aspect_of(problem.category_id, categories)
        key = aspect.pk if aspect else None
        if key not in groups:
            groups[key] = AspectGroup(name=aspect.name if aspect else UNCATEGORISED)
            group_order[key] = (1, 0, "") if aspect is None else (0, aspect.sort_order, aspect.code)
        row.aspect = groups[key].name
        groups[key].problems.append(row)

        if problem.lead_unit:
            led = unit_row(problem.lead_unit)
            led.n_led += 1
            unit_cases[problem.lead_unit.pk] |= case_ids
            led.n_overdue_measures += row.n_overdue_measures
            if row.progress is not None:
                unit_progress[problem.lead_unit.pk].append(row.progress)
        for unit in problem.co_units.all():
            unit_row(unit).n_co += 1
        for campaign in problem.campaigns.all():
            campaign_row = campaign_rows[campaign.pk]
            campaign_row.n_problems += 1
            campaign_row.n_overdue_measures += row.n_overdue_measures
            campaign_cases[campaign.pk] |= case_ids
            if row.progress is not None:
                campaign_progress[campaign.pk].append(row.progress)

    for pk, row in unit_rows.items():
        row.n_cases = len(unit_cases[pk])
        row.n_answered = len(unit_cases[pk] & answered_ids)
        row.n_overdue = len(unit_cases[pk] & overdue_ids)
        row.progress = _mean(unit_progress[pk]) if kind == PROGRESS else None
    for pk, row in campaign_rows.items():
        row.n_cases = len(campaign_cases[pk])
        row.n_answered = len(campaign_cases[pk] & answered_ids)
        row.n_overdue = len(campaign_cases[pk] & overdue_ids)
        row.progress = _mean(campaign_progress[pk]) if kind == PROGRESS else None

    aspects = [groups[key] for key in sorted(groups, key=group_order.__getitem__)]
    number = 0
    for group in aspects:
        for row in group.problems:
            number += 1
            row.number = number
    return BulletinData(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        generated_on=timezone.localdate(),
        basis=basis,
        channels=sorted(channel_totals, key=channel_order.__getitem__),
        aspects=aspects,
        units=[unit_rows[pk] for pk in sorted(unit_rows, key=unit_order.__getitem__)],
        campaigns=list(campaign_rows.values()),
        n_problems=len(problems),
        n_cases=len(all_cases),
        n_answered=len(all_cases & answered_ids),
        n_overdue=len(all_cases & overdue_ids),
        n_overdue_measures=n_overdue_measures,
    )
