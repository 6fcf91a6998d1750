"""The appraisal rates of a unit over a period, computed from QuerySets.

Every rate is a `Figure` (numerator / denominator, None when the denominator is 0). A unit's
figures count the cases of the unit *and every unit below it* (its subtree). Merged cases
(duplicates) are never counted. A period is half-open: ``start <= t < end``. The full
definitions are in RATES.md next to this file; each entry of `DEFINITIONS` repeats its own.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from civicdesk.accounts.models import Unit
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.evaluation.models import SATISFIED_LEVELS, FollowUp, FollowUpStatus
from civicdesk.knowledge.models import EntryUse
from civicdesk.ratings.models import Rating

DEFAULT_MIN_CASES = 10

RESPONSE = "response"
RESOLUTION = "resolution"
SATISFACTION = "satisfaction"
ON_TIME = "on_time"
REOPEN = "reopen"
RECTIFICATION = "rectification"
# Not a rate of its own: the follow-ups that got no answer, shown beside the resolution rate
# (whose denominator leaves them out). Its numerator is the count; its denominator the cases
# answered in the period, like the on-time closure's.
NO_ANSWER = "no_answer"
# Cases answered at first contact from a knowledge-base entry (一次性告知): shown, not ranked.
FIRST_CONTACT = "first_contact"
# The three rates of 接诉即办 appraisal; a unit's score for ranking is their mean.
MAIN_RATES = (RESPONSE, RESOLUTION, SATISFACTION)
ALL_RATES = (*MAIN_RATES, ON_TIME, REOPEN, RECTIFICATION, FIRST_CONTACT)
# Every figure computed for a unit: the rates and the counts shown beside them.
ALL_FIGURES = (*ALL_RATES, NO_ANSWER)
# Which figure is shown beside which rate, wherever the rate is shown.
ASIDES = {RESOLUTION: NO_ANSWER}


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

    def aside(self, name: str) -> Figure | None:
        """The figure shown beside the rate `name` (see ASIDES), if it has one."""
        return self.figures.get(ASIDES[name], Figure(0, 0)) if name in ASIDES else None

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


@dataclass(frozen=True)
class RateDefinition:
    """One rate as data, so that the live figures here, the dashboard's pre-aggregated
    figures and its drill-down lists all count exactly the same rows.

    The rate is taken over `rows()` whose `date_field` falls in the period; `numerator(now)`
    and `denominator(now)` pick the rows counted above and below the line (a denominator of
    None counts every row). `unit` is the path to the unit a row belongs to.
    """

    name: str
    rows: Callable[[], QuerySet]
    unit: str
    date_field: str
    numerator: Callable[[datetime], Q | Exists]
    denominator: Callable[[datetime], Q | Exists | None] = lambda now: None

    def in_period(self, rows: QuerySet, start: datetime, end: datetime) -> QuerySet:
        return rows.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})

    def for_unit_subtree(self, rows: QuerySet, unit: Unit) -> QuerySet:
        return rows.filter(**{f"{self.unit}__path__startswith": unit.path})

    def counts(self, now: datetime) -> dict[str, Count]:
        """Aggregates naming the numerator and denominator, for `aggregate` or `annotate`."""
        return {
            "numerator": Count("pk", filter=self.numerator(now)),
            "denominator": Count("pk", filter=self.denominator(now)),
        }

    def figure(self, rows: QuerySet, start: datetime, end: datetime, now: datetime) -> Figure:
        counts = self.in_period(rows, start, end).aggregate(**self.counts(now))
        return Figure(counts["numerator"], counts["denominator"])

    def cases(self, rows: QuerySet, start: datetime, end: datetime, now: datetime, part: str):
        """The rows behind one side of the figure: "numerator" or "denominator"."""
        rows = self.in_period(rows, start, end)
        condition = self.numerator(now) if part == "numerator" else self.denominator(now)
        return rows if condition is None else rows.filter(condition)


def _counted_case_rows() -> QuerySet:
    return Case.objects.exclude(status=Status.MERGED)


def _current_followup(**conditions) -> Exists:
    """The case's follow-up of its answer now in force meets the conditions."""
    return Exists(
        FollowUp.objects.filter(
            case=OuterRef("pk"), answer_of=OuterRef("answered_at"), **conditions
        )
    )


def _answered_at_first_contact() -> Q:
    """The answer now in force is the case's first and only reply (nothing was said to the
    reporter before it, and it was never reopened), and staff inserted a knowledge entry into
    it: the person got the whole notice at once."""
    used_entry = Exists(
        EntryUse.objects.filter(case=OuterRef("pk"), used_at__lte=OuterRef("answered_at"))
    )
    return Q(used_entry, first_responded_at=F("answered_at"), reopen_count=0)


def _satisfaction_rows() -> QuerySet:
    return FollowUp.objects.exclude(case__status=Status.MERGED).filter(
        status=FollowUpStatus.ANSWERED, satisfaction__isnull=False
    )


def _rectification_rows() -> QuerySet:
    """Bad ratings that opened a rectification case, re-rated or not (a re-rating comes after
    the rectification it judges), unless excluded after an upheld appeal or merged away."""
    return Rating.objects.filter(excluded=False, case__isnull=False).exclude(
        case__status=Status.MERGED
    )


DEFINITIONS: dict[str, RateDefinition] = {
    d.name: d
    for d in (
        # Response rate: of the cases received in the period, those first responded to by their
        # response deadline, over those responded to or whose response deadline has passed by
        # `now`. Cases still within their deadline and not yet responded to are in neither
        # count: they can still go either way.
        RateDefinition(
            name=RESPONSE,
            rows=_counted_case_rows,
            unit="unit",
            date_field="received_at",
            numerator=lambda now: Q(first_responded_at__lte=F("response_due_at")),
            denominator=lambda now: (
                Q(first_responded_at__isnull=False) | Q(response_due_at__lt=now)
            ),
        ),
        # Resolution rate, as 12345 centres count it: of the cases whose answer now in force was
        # given in the period and whose follow-up of that answer got an answer (the reporter
        # online or on a return call, or a staff verification), those it says are solved.
        # Follow-ups that got no answer are not "not solved": they are in neither count and
        # shown beside the rate (NO_ANSWER); those still waiting, or not opened yet, can
        # still go either way.
        RateDefinition(
            name=RESOLUTION,
            rows=_counted_case_rows,
            unit="unit",
            date_field="answered_at",
            numerator=lambda now: _current_followup(status=FollowUpStatus.ANSWERED, solved=True),
            denominator=lambda now: _current_followup(
                status=FollowUpStatus.ANSWERED, solved__isnull=False
            ),
        ),
        # Beside the resolution rate: of the same cases (answer now in force given in the
        # period), those whose follow-up of that answer closed with no answer.
        RateDefinition(
            name=NO_ANSWER,
            rows=_counted_case_rows,
            unit="unit",
            date_field="answered_at",
            numerator=lambda now: _current_followup(status=FollowUpStatus.NO_ANSWER),
        ),
        # Satisfaction rate: of the follow-ups answered in the period with a level, those "very
        # satisfied" or "satisfied". Expired follow-ups ("no answer") and staff verifications
        # (no level) are not in it and never count as satisfied.
        RateDefinition(
            name=SATISFACTION,
            rows=_satisfaction_rows,
            unit="case__unit",
            date_field="responded_at",
            numerator=lambda now: Q(satisfaction__in=SATISFIED_LEVELS),
        ),
        # On-time closure: of the cases answered in the period, those answered by their answer
        # deadline.
        RateDefinition(
            name=ON_TIME,
            rows=_counted_case_rows,
            unit="unit",
            date_field="answered_at",
            numerator=lambda now: Q(answered_at__lte=F("answer_due_at")),
        ),
        # Reopen rate: of the cases answered in the period, those reopened at least once.
        # Lower is better.
        RateDefinition(
            name=REOPEN,
            rows=_counted_case_rows,
            unit="unit",
            date_field="answered_at",
            numerator=lambda now: Q(reopen_count__gte=1),
        ),
        # Answered at first contact from the knowledge base: of the cases answered in the
        # period, those whose answer in force was their first reply to the reporter, never
        # reopened, with a knowledge entry inserted into it before it was sent.
        RateDefinition(
            name=FIRST_CONTACT,
            rows=_counted_case_rows,
            unit="unit",
            date_field="answered_at",
            numerator=lambda now: _answered_at_first_contact(),
        ),
        # Bad-rating rectification rate: of the bad window ratings made in the period whose
        # rectification case was answered or whose rectification deadline has passed by `now`,
        # those answered by the deadline. A later re-rating does not undo the rectification;
        # ratings excluded after an upheld appeal, and merged rectification cases, are left out.
        RateDefinition(
            name=RECTIFICATION,
            rows=_rectification_rows,
            unit="window",
            date_field="created_at",
            numerator=lambda now: Q(case__answered_at__lte=F("due_at")),
            denominator=lambda now: Q(case__answered_at__isnull=False) | Q(due_at__lt=now),
        ),
    )
}


def unit_rates(
    unit: Unit, start: datetime, end: datetime, *, now: datetime | None = None
) -> UnitRates:
    """Every rate of one unit (its subtree) over the period, as of `now`."""
    now = now or timezone.now()
    received = counted_cases(unit).filter(received_at__gte=start, received_at__lt=end)
    result = UnitRates(unit=unit, case_count=received.count())
    for name, definition in DEFINITIONS.items():
        rows = definition.for_unit_subtree(definition.rows(), unit)
        result.figures[name] = definition.figure(rows, start, end, now)
    return result


def rank_units(
    units: Iterable[Unit],
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    minimum: int | None = None,
) -> Ranking:
    """Rates of each unit, ranked by score (mean of the response, resolution and satisfaction
    rates it has) from best to worst; ties share a rank and are listed by name.

    Units with fewer than `minimum` cases received in the period (default
    ``CIVICDESK_RANKING_MIN_CASES``, 10) or without any main rate are listed apart as
    "too few cases to rank", so that one fast case does not top the table.
    """
    minimum = min_cases() if minimum is None else minimum
    return rank_rows([unit_rates(u, start, end, now=now) for u in units], minimum)


def rank_rows(rows: list[UnitRates], minimum: int) -> Ranking:
    """Rank units' rates by score (see `rank_units`); the dashboard ranks its own rows too."""
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
