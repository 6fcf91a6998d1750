"""The kinds of line an appraisal scheme is made of: a small registry, so that an app adds its
own kind without touching this one.

A line of a scheme names a kind (its code), for rate lines a target (which rate), its points
and, for deductions and bonuses, an optional cap. What each kind counts is its `LineKind`:

- ``BASE``: a fixed number of points (e.g. 100 to deduct from);
- ``RATE``: points × the rate of the month (× (1 − rate) when lower is better);
- ``DEDUCTION``: minus points × the number of items behind the line, at most the cap;
- ``BONUS``: plus points × the quantity (items, or hours per person), at most the cap.

An app adds a kind with ``register(LineKind(...))`` from its AppConfig.ready(), e.g. the
training app's hours per person (training/appraisal_lines.py), the supervision app's
letters answered late (supervision/appraisal_lines.py) and the online hall's materials asked for
after the first notice (applications/appraisal_lines.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from civicdesk.accounts.models import Unit

BASE = "base"
RATE = "rate"
DEDUCTION = "deduction"
BONUS = "bonus"
EFFECTS = (BASE, RATE, DEDUCTION, BONUS)


@dataclass(frozen=True)
class Period:
    """The month a score is for, as of `now` (deadlines that have not yet passed count not)."""

    start: datetime
    end: datetime
    now: datetime


@dataclass(frozen=True)
class DrillRow:
    """One item behind a line, as the drill-down lists it."""

    code: str
    text: str
    when: datetime | date | None
    url: str = ""
    # For rate lines: whether the row is in the numerator ("counted"), else None.
    counted: bool | None = None


@dataclass(frozen=True)
class Measured:
    """What a line measured for a unit and a month."""

    # The number the points multiply: items, hours per person, or a rate (0…1).
    quantity: Decimal | None
    # The quantity in words ("3", "92.0% (46/50)", "4.5 h per person (9 h, 2 people)").
    text: str


@dataclass(frozen=True)
class LineKind:
    code: str
    label: str | Promise
    effect: str
    # RATE lines: the rates a line may name, code → label.
    targets: Callable[[], dict[str, Any]] | None = None
    # DEDUCTION and BONUS lines (and RATE): what the line measures for a unit and a month.
    measure: Callable[[Unit, Period, str], Measured] | None = None
    # The rows behind the line (the drill-down); None: the line has none (a base).
    rows: Callable[[Unit, Period, str], Iterable[DrillRow]] | None = None
    # What one item is, for the drill-down's heading ("cases", "ratings").
    items_label: str | Promise = ""
    # A RATE line of a rate where lower is better earns points × (1 − rate).
    lower_is_better: Callable[[str], bool] = field(default=lambda target: False)

    def __post_init__(self) -> None:
        if self.effect not in EFFECTS:
            raise ValueError(f"line kind {self.code}: unknown effect {self.effect}")
        if self.effect != BASE and self.measure is None:
            raise ValueError(f"line kind {self.code}: needs a measure")


_KINDS: dict[str, LineKind] = {}


def register(kind: LineKind) -> None:
    """Add a kind (from an AppConfig.ready()); registering the same code twice replaces it,
    so that a reloaded app does not fail."""
    _KINDS[kind.code] = kind


def get(code: str) -> LineKind | None:
    return _KINDS.get(code)


def kinds() -> dict[str, LineKind]:
    return dict(_KINDS)


def quantize(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))
