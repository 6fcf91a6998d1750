"""A unit's appraisal score for a month, line by line, with the arithmetic shown.

Each line of the scheme in force for the month (models.Scheme.in_force) measures the unit's
subtree over the month, as of now (lines.py says what each kind counts):

- base: + points;
- rate: + points × rate (× (1 − rate) where lower is better); a rate with nothing to count
  (0 of 0) earns the full points, as there is nothing to hold against the unit;
- deduction: − points × count, at most the cap;
- bonus: + points × quantity, at most the cap.

The score is the sum, rounded to hundredths. Units are ranked by score, ties sharing a rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit
from civicdesk.appraisal import lines
from civicdesk.appraisal.models import Scheme, SchemeLine
from civicdesk.evaluation import rates


@dataclass
class ScoreLine:
    position: int
    kind: lines.LineKind | None
    line: SchemeLine
    label: str
    measured: lines.Measured | None
    result: Decimal
    # The arithmetic in words: "92.0% (46/50) × 30.00 = 27.60".
    formula: str
    capped: bool = False

    @property
    def drillable(self) -> bool:
        return self.kind is not None and self.kind.rows is not None


@dataclass
class UnitScore:
    unit: Unit
    month: date
    scheme: Scheme | None
    lines: list[ScoreLine] = field(default_factory=list)
    total: Decimal | None = None
    rank: int | None = None

    @property
    def sum_formula(self) -> str:
        """The sum in words: "27.60 + 28.00 − 1.50 = 54.10"."""
        if not self.lines:
            return ""
        parts = [_points(self.lines[0].result)]
        for line in self.lines[1:]:
            sign = "−" if line.result < 0 else "+"
            parts.append(f"{sign} {_points(abs(line.result))}")
        return f"{' '.join(parts)} = {_points(self.total)}"


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """Local midnight of the month's first day and of the next month's."""
    first = month.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(after, time.min)),
    )


def period_of(month: date, now: datetime | None = None) -> lines.Period:
    start, end = month_bounds(month)
    return lines.Period(start=start, end=end, now=now or timezone.now())


def line_label(kind: lines.LineKind | None, line: SchemeLine) -> str:
    if kind is None:
        return line.kind
    if kind.targets is not None:
        return _("%(kind)s: %(rate)s") % {
            "kind": kind.label,
            "rate": kind.targets().get(line.target, line.target),
        }
    return str(kind.label)


def _points(value: Decimal) -> str:
    return f"{value:.2f}"


def score_line(line: SchemeLine, unit: Unit, period: lines.Period) -> ScoreLine:
    kind = lines.get(line.kind)
    label = line_label(kind, line)
    if kind is None:
        # A kind whose app is gone: shown, worth nothing, never a crash of the whole report.
        return ScoreLine(
            line.position, None, line, label, None, Decimal("0.00"), _("unknown kind: 0")
        )
    points = line.points
    if kind.effect == lines.BASE:
        return ScoreLine(line.position, kind, line, label, None, points, _points(points))
    measured = kind.measure(unit, period, line.target)
    if kind.effect == lines.RATE:
        if measured.quantity is None:
            formula = _("nothing to count: full %(points)s") % {"points": _points(points)}
            return ScoreLine(line.position, kind, line, label, measured, points, formula)
        if kind.lower_is_better(line.target):
            share = Decimal(1) - measured.quantity
            result = lines.quantize(points * share)
            formula = f"(1 − {measured.text}) × {_points(points)} = {_points(result)}"
        else:
            result = lines.quantize(points * measured.quantity)
            formula = f"{measured.text} × {_points(points)} = {_points(result)}"
        return ScoreLine(line.position, kind, line, label, measured, result, formula)
    raw = lines.quantize(points * (measured.quantity or Decimal(0)))
    capped = line.cap is not None and raw > line.cap
    amount = line.cap if capped else raw
    # The sign goes on the result only: "2 × 0.50 = −1.00"; nothing counted reads
    # "0 × 0.50 = 0.00".
    sign = "" if not raw else "−" if kind.effect == lines.DEDUCTION else "+"
    formula = f"{measured.text} × {_points(points)} = {sign}{_points(raw)}"
    if capped:
        formula = _("%(formula)s (at most %(cap)s)") % {
            "formula": formula,
            "cap": _points(line.cap),
        }
    result = -amount if kind.effect == lines.DEDUCTION and amount else amount
    return ScoreLine(line.position, kind, line, label, measured, result, formula, capped)


def unit_score(
    unit: Unit, month: date, *, scheme: Scheme | None = None, now: datetime | None = None
) -> UnitScore:
    """The unit's score for the month under the scheme in force then (or the one given)."""
    month = month.replace(day=1)
    scheme = scheme or Scheme.objects.in_force(month)
    score = UnitScore(unit=unit, month=month, scheme=scheme)
    if scheme is None:
        return score
    period = period_of(month, now)
    score.lines = [score_line(line, unit, period) for line in scheme.lines.all()]
    score.total = sum((line.result for line in score.lines), Decimal("0.00"))
    return score


def month_scores(
    month: date, units: list[Unit] | None = None, *, now: datetime | None = None
) -> list[UnitScore]:
    """Every appraised unit's score for the month, best first; equal scores share a rank."""
    units = list(rates.appraised_units()) if units is None else units
    month = month.replace(day=1)
    scheme = Scheme.objects.in_force(month)
    scores = [unit_score(unit, month, scheme=scheme, now=now) for unit in units]
    if scheme is None:
        return scores
    scores.sort(key=lambda s: (-s.total, s.unit.name))
    previous = None
    for position, score in enumerate(scores, start=1):
        score.rank = previous.rank if previous and previous.total == score.total else position
        previous = score
    return scores


def line_rows(unit: Unit, month: date, line: SchemeLine, now: datetime | None = None) -> list:
    """The rows behind one line of a unit's month: its drill-down."""
    kind = lines.get(line.kind)
    if kind is None or kind.rows is None:
        return []
    return list(kind.rows(unit, period_of(month.replace(day=1), now), line.target))
