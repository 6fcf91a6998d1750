"""Benchmark of the unit suggestion on the demo district: top-1 accuracy on held-out cases.

    python bench/triage_units.py [--seeds 5] [--submissions 2044] [--data-dir VAR]

Loads the demo district (the same generator and seed as `civicdesk demo`) into a temporary
SQLite database, takes the cases routed for good (`problems.suggestions.unit_examples`: the
case text and the unit that took it on or answered it) and trains the unit model
(`TextClassifier`) on part of them, testing on the rest, two ways:

- by time: trained on the earliest 80 % of cases by receipt, tested on the latest 20 %, as a
  district would use it (the model learns from the past and suggests for what comes next);
- held out at random: stratified 80/20 splits, median of `--seeds`.

In the same run, the baseline is what the case page offered before: the category's default
unit (`Category.default_unit`, pre-filled in the assign form), scored on the same test cases
(a case without a category counts as wrong). Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _demo_cases(
    seed: int, submissions: int, data_dir: str | None = None
) -> list[tuple[str, str, str | None, Any]]:
    """(text, unit code, the category's default unit code, received_at) per routed case; of a
    new demo district, or of the one a `civicdesk demo` left in `data_dir` (its ./var)."""
    folder = data_dir or tempfile.mkdtemp(prefix="civicdesk-units-bench-")
    os.environ["CIVICDESK_DATA_DIR"] = folder
    os.environ.setdefault("CIVICDESK_DEBUG", "1")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from civicdesk.demo.generator import load_demo
    from civicdesk.problems.services import case_text
    from civicdesk.problems.suggestions import routed_cases

    if data_dir is None:
        call_command("migrate", interactive=False, verbosity=0)
        load_demo(seed=seed, submissions=submissions, stdout=io.StringIO())
    cases = routed_cases().select_related("submission", "unit", "category__default_unit")
    return [
        (
            case_text(case),
            case.unit.code,
            case.category.default_unit.code
            if case.category and case.category.default_unit
            else None,
            case.received_at,
        )
        for case in cases.order_by("received_at", "id")
    ]


def _score(train: list[int], test: list[int], rows: list[tuple]) -> dict[str, float]:
    from civicdesk.triage.classify import TextClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        start = time.perf_counter()
        model = TextClassifier.train([rows[i][0] for i in train], [rows[i][1] for i in train])
        seconds = time.perf_counter() - start
    predictions = model.predict([rows[i][0] for i in test], explain=False)
    truth = [rows[i][1] for i in test]
    right = [p.label == t for p, t in zip(predictions, truth, strict=True)]
    sure = [r for r, p in zip(right, predictions, strict=True) if not p.needs_review]
    return {
        "n_train": len(train),
        "n_test": len(test),
        "top1": sum(right) / len(right),
        "top3": sum(
            t in [label for label, _ in p.top3] for p, t in zip(predictions, truth, strict=True)
        )
        / len(truth),
        "share_sure": len(sure) / len(right),
        "precision_when_sure": sum(sure) / len(sure) if sure else float("nan"),
        "default_unit_top1": sum(rows[i][2] == rows[i][1] for i in test) / len(test),
        "train_seconds": seconds,
        "cv_threshold": model.quality.get("threshold", float("nan")),
    }


def run(
    seeds: int = 5, submissions: int = 2044, demo_seed: int = 2044, data_dir: str | None = None
) -> dict[str, Any]:
    from sklearn.model_selection import train_test_split

    rows = _demo_cases(demo_seed, submissions, data_dir)
    n = len(rows)
    cut = int(n * 0.8)
    by_time = _score(list(range(cut)), list(range(cut, n)), rows)
    units = [row[1] for row in rows]
    counts = {u: units.count(u) for u in set(units)}
    # A unit that handled a single case cannot be on both sides of a stratified split.
    rare = [i for i, u in enumerate(units) if counts[u] < 2]
    common = [i for i, u in enumerate(units) if counts[u] >= 2]
    random_splits = []
    for seed in range(seeds):
        train, test = train_test_split(
            common, test_size=0.2, stratify=[units[i] for i in common], random_state=seed
        )
        random_splits.append(_score(list(train) + rare, list(test), rows))
    median = {
        key: statistics.median(s[key] for s in random_splits)
        for key in random_splits[0]
        if isinstance(random_splits[0][key], float)
    }
    return {
        "routed_cases": n,
        "units": len(counts),
        "by_time": by_time,
        "random": random_splits,
        "random_median": median,
    }


def markdown(result: dict[str, Any]) -> str:
    t, m = result["by_time"], result["random_median"]
    lines = [
        f"{result['routed_cases']} routed cases of the demo, {result['units']} units.",
        "",
        "| split | train / test | unit model top-1 | top-3 | shown as sure | right when sure "
        "| baseline: category's default unit, top-1 |",
        "|---|---|---|---|---|---|---|",
        f"| by time (earliest 80 % → latest 20 %) | {t['n_train']} / {t['n_test']} "
        f"| {t['top1']:.1%} | {t['top3']:.1%} | {t['share_sure']:.1%} "
        f"| {t['precision_when_sure']:.1%} | {t['default_unit_top1']:.1%} |",
        f"| held out at random, median of {len(result['random'])} "
        f"| {result['random'][0]['n_train']} / {result['random'][0]['n_test']} "
        f"| {m['top1']:.1%} | {m['top3']:.1%} | {m['share_sure']:.1%} "
        f"| {m['precision_when_sure']:.1%} | {m['default_unit_top1']:.1%} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random stratified splits")
    parser.add_argument("--submissions", type=int, default=2044, help="demo submissions")
    parser.add_argument(
        "--data-dir",
        metavar="VAR",
        help="read the demo district a `civicdesk demo` left in this folder (its ./var) "
        "instead of generating one",
    )
    args = parser.parse_args(argv)
    print(markdown(run(args.seeds, args.submissions, data_dir=args.data_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
