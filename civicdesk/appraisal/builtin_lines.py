"""The line kinds appraisal knows by itself: a base, points per rate, and deductions per
overdue case, per upheld bad rating and per overdue measure, and bonuses per praised case.
Each counts the unit's subtree, in the month, as of the moment the score is worked out."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.appraisal.lines import (
    BASE,
    BONUS,
    DEDUCTION,
    RATE,
    DrillRow,
    LineKind,
    Measured,
    Period,
    register,
)
from civicdesk.cases.models import Case
from civicdesk.commitments.models import Measure
from civicdesk.evaluation import rates
from civicdesk.evaluation.models import FollowUp, Praise
from civicdesk.evaluation.views import RATE_LABELS
from civicdesk.ratings.models import Rating

# Lower is better for the reopen rate: a rate line earns points × (1 − rate).
LOWER_IS_BETTER = frozenset({rates.REOPEN})


def _count(rows: QuerySet) -> Measured:
    count = rows.count()
    return Measured(Decimal(count), str(count))


def _case_row(case: Case, when=None) -> DrillRow:
    return DrillRow(
        code=case.tracking_code,
        text=case.category.name if case.category_id and case.category else "",
        when=when if when is not None else case.received_at,
        url=reverse("staff:case", args=[case.pk]),
    )


# --- Rates ---------------------------------------------------------------------------------


def _rate_rows(unit: Unit, period: Period, target: str) -> QuerySet:
    definition = rates.DEFINITIONS[target]
    return definition.for_unit_subtree(definition.rows(), unit)


def measure_rate(unit: Unit, period: Period, target: str) -> Measured:
    figure = rates.DEFINITIONS[target].figure(
        _rate_rows(unit, period, target), period.start, period.end, period.now
    )
    if figure.rate is None:
        return Measured(None, "—")
    rate = Decimal(figure.numerator) / Decimal(figure.denominator)
    return Measured(rate, f"{rate * 100:.1f}% ({figure.numerator}/{figure.denominator})")


def _any_row(obj) -> DrillRow:
    """A row of a rate's denominator: a case, a follow-up or a window rating."""
    if isinstance(obj, Case):
        return _case_row(obj, obj.answered_at or obj.received_at)
    if isinstance(obj, FollowUp):
        return DrillRow(
            code=obj.case.tracking_code,
            text=str(obj.get_satisfaction_display()),
            when=obj.responded_at,
            url=reverse("staff:case", args=[obj.case_id]),
        )
    return DrillRow(
        code=f"#{obj.pk}",
        text=f"{obj.window.name} · {obj.get_level_display()}",
        when=obj.created_at,
        url=reverse("ratings:rating", args=[obj.pk]),
    )


def rate_rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    """The rows of the rate's denominator, each marked whether it is in the numerator."""
    definition = rates.DEFINITIONS[target]
    rows = _rate_rows(unit, period, target)
    counted = set(
        definition.cases(rows, period.start, period.end, period.now, "numerator").values_list(
            "pk", flat=True
        )
    )
    shown = definition.cases(rows, period.start, period.end, period.now, "denominator")
    related = {
        Case: ("category",),
        FollowUp: ("case",),
        Rating: ("window",),
    }.get(shown.model, ())
    for obj in shown.select_related(*related).order_by("pk"):
        row = _any_row(obj)
        yield DrillRow(row.code, row.text, row.when, row.url, counted=obj.pk in counted)


# --- Overdue cases -------------------------------------------------------------------------


def overdue_cases(unit: Unit, period: Period) -> QuerySet:
    """Cases of the subtree whose answer deadline fell in the month (and has passed) and that
    were not answered by it: answered late, or not at all. Each late case counts once, in the
    month of its deadline; a case answered again after a reopening counts by its latest
    answer, as the on-time closure rate does. An approved extension moves the deadline."""
    until = min(period.end, period.now)
    return (
        rates.counted_cases(unit)
        .filter(answer_due_at__gte=period.start, answer_due_at__lt=until)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__gt=F("answer_due_at")))
    )


def overdue_case_rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    for case in overdue_cases(unit, period).select_related("category").order_by("answer_due_at"):
        yield _case_row(case, case.answer_due_at)


# --- Bad ratings ---------------------------------------------------------------------------


def upheld_bad_ratings(unit: Unit, period: Period) -> QuerySet:
    """Bad window ratings (levels 1–2) of the subtree made in the month that stand: not
    excluded after an upheld appeal (a pending appeal counts until it is upheld). A later
    re-rating does not undo the rating it follows; a bad re-rating is a bad rating too."""
    return (
        Rating.objects.bad()
        .for_unit_subtree(unit)
        .filter(excluded=False, created_at__gte=period.start, created_at__lt=period.end)
    )


def bad_rating_rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    for rating in upheld_bad_ratings(unit, period).select_related("window").order_by("created_at"):
        yield _any_row(rating)


# --- Overdue measures ----------------------------------------------------------------------


def overdue_measures(unit: Unit, period: Period) -> QuerySet:
    """Measures of the subtree whose deadline fell in the month (and has passed) and that
    were not marked done by it (nor closed by it without being done). An approved extension
    moves the deadline, so an extended measure counts in the month of its new deadline."""
    first = timezone.localdate(period.start)
    last = min(timezone.localdate(period.end), timezone.localdate(period.now))
    late_done = Q(done_on__gt=F("deadline"))
    never_done = Q(done_at__isnull=True) & (
        Q(closed_at__isnull=True) | Q(closed_on__gt=F("deadline"))
    )
    return (
        Measure.objects.for_unit_subtree(unit)
        .filter(deadline__gte=first, deadline__lt=last)
        .annotate(done_on=TruncDate("done_at"), closed_on=TruncDate("closed_at"))
        .filter(late_done | never_done)
    )


def overdue_measure_rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    for measure in overdue_measures(unit, period).order_by("deadline", "pk"):
        yield DrillRow(
            code=f"#{measure.pk}",
            text=measure.title,
            when=None,
            url=reverse("commitments:staff_measure", args=[measure.pk]),
        )


# --- Praise --------------------------------------------------------------------------------


def praised_cases(unit: Unit, period: Period) -> QuerySet:
    """Cases of the subtree praised in the month (however often: one case counts once)."""
    praised = Praise.objects.for_unit_subtree(unit).in_period(period.start, period.end)
    return Case.objects.filter(pk__in=praised.values("case_id"))


def praised_rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    for case in praised_cases(unit, period).select_related("category").order_by("pk"):
        yield _case_row(case, case.answered_at)


def register_all() -> None:
    register(LineKind(code="base", label=_("Base points"), effect=BASE))
    register(
        LineKind(
            code="rate",
            label=_("Points per rate"),
            effect=RATE,
            targets=lambda: dict(RATE_LABELS),
            measure=measure_rate,
            rows=rate_rows,
            items_label=_("Rows the rate counts"),
            lower_is_better=lambda target: target in LOWER_IS_BETTER,
        )
    )
    register(
        LineKind(
            code="overdue_case",
            label=_("Deduction per overdue case"),
            effect=DEDUCTION,
            measure=lambda unit, period, target: _count(overdue_cases(unit, period)),
            rows=overdue_case_rows,
            items_label=_("Cases not answered by their deadline"),
        )
    )
    register(
        LineKind(
            code="upheld_bad_rating",
            label=_("Deduction per upheld bad rating"),
            effect=DEDUCTION,
            measure=lambda unit, period, target: _count(upheld_bad_ratings(unit, period)),
            rows=bad_rating_rows,
            items_label=_("Bad window ratings that stand"),
        )
    )
    register(
        LineKind(
            code="overdue_measure",
            label=_("Deduction per overdue measure"),
            effect=DEDUCTION,
            measure=lambda unit, period, target: _count(overdue_measures(unit, period)),
            rows=overdue_measure_rows,
            items_label=_("Measures not done by their deadline"),
        )
    )
    register(
        LineKind(
            code="praised_case",
            label=_("Bonus per praised case"),
            effect=BONUS,
            measure=lambda unit, period, target: _count(praised_cases(unit, period)),
            rows=praised_rows,
            items_label=_("Praised cases"),
        )
    )
