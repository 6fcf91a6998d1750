"""The appraisal rates of a unit over a period, computed from QuerySets.

Every rate is a `Figure` (numerator / denominator, None when the denominator is 0). A unit's
figures count the cases of the unit *and every unit below it* (its subtree). Merged cases
(duplicates) are never counted. A period is half-open: ``start <= t < end``. The full
definitions are in RATES.md next to this file; each function below repeats its own.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from civicdesk.accounts.models import Unit
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.evaluation.models import SATISFIED_LEVELS, FollowUp, FollowUpStatus

DEFAULT_MIN_CASES = 10

RESPONSE = "response"
RESOLUTION = "resolution"
SATISFACTION = "satisfaction"
ON_TIME = "on_time"
REOPEN = "reopen"
# The three rates of 接诉即办 appraisal; a unit's score for ranking is their mean.
MAIN_RATES = (RESPONSE, RESOLUTION, SATISFACTION)
BUILT_IN_RATES = (*MAIN_RATES, ON_TIME, REOPEN)


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class UnitRates:
    unit: Unit
    # Cases received in the period: what the minimum-count rule for ranking looks at.
    case_count: int
    figures: dict[str, Figure] = field(default_factory=dict)
    rank: int | None = None

    @property
    def score(self) -> float | None:
        """Mean of the main rates that have a denominator; None if none has."""
        rates = [self.figures[name].rate for name in MAIN_RATES if name in self.figures]
        rates = [r for r in rates if r is not None]
        return mean(rates) if rates else None


@dataclass
class Ranking:
    ranked: list[UnitRates]
    # Units with fewer cases than the minimum (or no rate at all): listed, never ranked.
    too_few: list[UnitRates]
    min_cases: int


def min_cases() -> int:
    return int(getattr(settings, "CIVICDESK_RANKING_MIN_CASES", DEFAULT_MIN_CASES))


def counted_cases(unit: Unit) -> "Case.objects":
    """Cases of the unit's subtree, duplicates left out."""
    return Case.objects.for_unit_subtree(unit).exclude(status=Status.MERGED)


def response_rate(cases, start: datetime, end: datetime, now: datetime | None = None) -> Figure:
    """Response rate: of the cases received in the period, those first responded to by their
    response deadline (``first_responded_at <= response_due_at``), over those that were
    responded to or whose response deadline has passed by ``now``. Cases still within their
    deadline and not yet responded to are in neither count: they can still go either way."""
    now = now or timezone.now()
    counts = cases.filter(received_at__gte=start, received_at__lt=end).aggregate(
        denominator=Count(
            "pk", filter=Q(first_responded_at__isnull=False) | Q(response_due_at__lt=now)
        ),
        numerator=Count("pk", filter=Q(first_responded_at__lte=F("response_due_at"))),
    )
    return Figure(counts["numerator"], counts["denominator"])


def _answered(cases, start: datetime, end: datetime):
    """Cases whose answer now in force (the latest) was given in the period."""
    return cases.filter(answered_at__gte=start, answered_at__lt=end)


def resolution_rate(cases, start: datetime, end: datetime) -> Figure:
    """Resolution rate: of the cases answered in the period, those answered as solved: the
    follow-up of that answer says "solved", whether the reporter said so (online or on a
    return call) or staff verified it. Not solved, no answer and no follow-up yet: not solved."""
    answered = _answered(cases, start, end)
    solved = answered.filter(
        followups__answer_of=F("answered_at"),
        followups__status=FollowUpStatus.ANSWERED,
        followups__solved=True,
    )
    return Figure(solved.distinct().count(), answered.count())


def satisfaction_rate(followups, start: datetime, end: datetime) -> Figure:
    """Satisfaction rate: of the follow-ups answered in the period with a satisfaction level,
    those "very satisfied" or "satisfied". The denominator is the number of answers, shown
    with the rate. Follow-ups without an answer (expired as "no answer") and staff
    verifications (no level) are not in it, and never count as satisfied."""
    counts = followups.filter(
        status=FollowUpStatus.ANSWERED,
        satisfaction__isnull=False,
        responded_at__gte=start,
        responded_at__lt=end,
    ).aggregate(
        denominator=Count("pk"),
        numerator=Count("pk", filter=Q(satisfaction__in=SATISFIED_LEVELS)),
    )
    return Figure(counts["numerator"], counts["denominator"])


def on_time_rate(cases, start: datetime, end: datetime) -> Figure:
    """On-time closure: of the cases answered in the period, those answered by their answer
    deadline (``answered_at <= answer_due_at``)."""
    counts = _answered(cases, start, end).aggregate(
        denominator=Count("pk"),
        numerator=Count("pk", filter=Q(answered_at__lte=F("answer_due_at"))),
    )
    return Figure(counts["numerator"], counts["denominator"])


def reopen_rate(cases, start: datetime, end: datetime) -> Figure:
    """Reopen rate: of the cases answered in the period, those reopened at least once
    (``reopen_count >= 1``), by the reporter or a supervisor. Lower is better."""
    counts = _answered(cases, start, end).aggregate(
        denominator=Count("pk"),
        numerator=Count("pk", filter=Q(reopen_count__gte=1)),
    )
    return Figure(counts["numerator"], counts["denominator"])


def unit_rates(
    unit: Unit,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    extra: Mapping[str, Figure] | None = None,
) -> UnitRates:
    """All built-in figures of one unit (its subtree), plus `extra` figures supplied by
    other apps (e.g. the bad-rating rectification rate), added under their own names."""
    cases = counted_cases(unit)
    result = UnitRates(
        unit=unit, case_count=cases.filter(received_at__gte=start, received_at__lt=end).count()
    )
    result.figures = {
        RESPONSE: response_rate(cases, start, end, now),
        RESOLUTION: resolution_rate(cases, start, end),
        SATISFACTION: satisfaction_rate(
            FollowUp.objects.for_unit_subtree(unit).exclude(case__status=Status.MERGED),
            start,
            end,
        ),
        ON_TIME: on_time_rate(cases, start, end),
        REOPEN: reopen_rate(cases, start, end),
    }
    for name, figure in (extra or {}).items():
        if name in BUILT_IN_RATES:
            raise ValueError(f"extra rate {name!r} would replace a built-in rate")
        result.figures[name] = figure
    return result


def rank_units(
    units: Iterable[Unit],
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    minimum: int | None = None,
    extra_rates: Mapping[int, Mapping[str, Figure]] | None = None,
) -> Ranking:
    """Rates of each unit, ranked by score (mean of the response, resolution and satisfaction
    rates it has) from best to worst; ties share a rank and are listed by name.

    Units with fewer than `minimum` cases received in the period (default
    ``CIVICDESK_RANKING_MIN_CASES``, 10) or without any main rate are listed apart as
    "too few cases to rank", so that one fast case does not top the table.

    `extra_rates` maps a unit's id to further figures (name → Figure) computed elsewhere,
    e.g. the ratings app's bad-rating rectification rate; they are shown, not ranked on.
    """
    minimum = min_cases() if minimum is None else minimum
    extra_rates = extra_rates or {}
    rows = [unit_rates(u, start, end, now=now, extra=extra_rates.get(u.pk)) for u in units]
    ranked = [r for r in rows if r.case_count >= minimum and r.score is not None]
    too_few = [r for r in rows if all(r is not k for k in ranked)]
    ranked.sort(key=lambda r: (-r.score, r.unit.name))
    previous = None
    for position, row in enumerate(ranked, start=1):
        row.rank = previous.rank if previous and previous.score == row.score else position
        previous = row
    too_few.sort(key=lambda r: r.unit.name)
    return Ranking(ranked=ranked, too_few=too_few, min_cases=minimum)


def appraised_units():
    """The units the table compares: the active units right below the district (the root)."""
    return Unit.objects.active().filter(parent__isnull=False, parent__parent__isnull=True)
