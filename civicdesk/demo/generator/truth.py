"""The truth the demo generated: which problem each demo opinion reports.

The generator knows, for every opinion it writes, the grievance and the place (or window) it
drew the text from; those opinions are the same problem exactly when they share both. Written
down as gold, this lets the app's own problem list be scored on the demo (B-cubed, as on the
hand-labelled real messages), so that grouping by street instead of by problem cannot come
back unnoticed (``civicdesk/demo/tests/loaded/test_problem_list.py``, ``bench/demo_clusters.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from civicdesk.demo.generator.specs import Spec

COLUMNS = ("external_id", "problem", "problem_title", "category", "unit")


class Truth(NamedTuple):
    """What one demo opinion was generated from."""

    problem: str  # the same key for every opinion about one grievance at one place or window
    problem_title: str  # e.g. "文化街 · 夜间施工噪音"
    category: str
    unit: str


def truth_of(specs: Iterable[Spec]) -> dict[str, Truth]:
    """The truth of each planned opinion, by its external id."""
    return {
        spec.external_id: Truth(spec.problem, spec.problem_title, spec.category, spec.unit)
        for spec in specs
    }


def write_truth(path: str | Path, truth: dict[str, Truth]) -> None:
    """Write the truth as a UTF-8 CSV with the columns of :data:`COLUMNS`."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for external_id, row in truth.items():
            writer.writerow([external_id, *row])


def read_truth(path: str | Path) -> dict[str, Truth]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {
            row["external_id"]: Truth(
                row["problem"], row["problem_title"], row["category"], row["unit"]
            )
            for row in csv.DictReader(handle)
        }
