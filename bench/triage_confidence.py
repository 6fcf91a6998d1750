"""Which confidence separates right suggestions from wrong ones: the study behind
civicdesk/triage/confidence.py, on the public labelled messages.

    nice -n 10 python bench/triage_confidence.py [--seeds 5] [--jobs 1] [--data PATH]

For each stratified 80/20 split (the splits of bench/triage_classify.py), the character and
word SVMs are scored out of fold on the training part (5 folds, exactly as
`TextClassifier.train` does, nearest neighbours included) and, trained on the whole training
part, on the held-out part. Every candidate confidence is computed from those scores, and two
figures are reported per candidate:

- "best possible": the precision of the 85 % most confident held-out messages (the issue asks
  for 97 % at 85 % coverage; no threshold can do better than this ranking allows);
- "threshold from training": a threshold chosen on out-of-fold confidences of the training
  part (right `TARGET_PRECISION` of the time above it), then applied to the held-out part: the
  share of messages shown as sure and how often those were right (median and lowest split).
  This is what a deployed model does, since it never sees the held-out messages.

Candidates: the softmax of the character SVM with a fitted temperature (the classifier of
issue 3), its margin between the two best labels, sigmoid (Platt) and isotonic calibration of
that SVM's scores (what scikit-learn's CalibratedClassifierCV fits, here on the out-of-fold
scores, i.e. its `ensemble=False` form), the learned confidence of model format 2 (both views'
margins and their agreement) and of format 3, today's (also the nearest training messages'
labels and the suggested label).

The scores of a split are cached under $TMPDIR/civicdesk-bench/, keyed by a hash of the data
file and of the triage code that computes them; a second run (for another table or target)
takes seconds. `--no-cache` recomputes. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import os
import statistics
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.isotonic import IsotonicRegression  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import KFold, train_test_split  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from triage_classify import DEFAULT_DATA, load  # noqa: E402

from civicdesk.triage import charngrams, classify, normalize, wordview  # noqa: E402
from civicdesk.triage import confidence as calibration  # noqa: E402
from civicdesk.triage.charngrams import CharTfidf  # noqa: E402
from civicdesk.triage.classify import (  # noqa: E402
    _document,
    _fit_svm,
    _fit_temperature,
    _out_of_fold_scores,
    _scores,
    _softmax,
)
from civicdesk.triage.wordview import WordTfidf  # noqa: E402

TARGET = calibration.TARGET_PRECISION
# The code whose output is cached: a change to any of these invalidates the cache (and not
# a change elsewhere, such as the precision asked for, which the cached scores do not hold).
SOURCES = (
    charngrams,
    wordview,
    normalize,
    classify._document,
    classify._fit_svm,
    classify._scores,
    classify._out_of_fold_scores,
    calibration.Neighbours,
)
CONSTANTS = (
    classify.TITLE_WEIGHT,
    classify.MAX_TITLE_CHARS,
    classify.SVM_C,
    classify.OUT_OF_FOLD_SPLITS,
    calibration.NEIGHBOURS,
)
NAMES = {
    "softmax": "issue 3: softmax of the character SVM",
    "margin": "margin of the character SVM (top1 − top2)",
    "sigmoid": "sigmoid (Platt) calibration of the character SVM",
    "isotonic": "isotonic calibration of the character SVM",
    "format2": "format 2: char + word SVMs, learned confidence",
    "format3": "format 3 (now): + nearest messages' labels, suggested label",
}


def cache_dir(data_path: Path) -> Path:
    digest = hashlib.sha256(data_path.read_bytes())
    for code in SOURCES:
        digest.update(inspect.getsource(code).encode())
    digest.update(repr(CONSTANTS).encode())
    base = Path(os.environ.get("CIVICDESK_BENCH_CACHE", tempfile.gettempdir()))
    return base / "civicdesk-bench" / f"confidence-{digest.hexdigest()[:16]}"


def split_scores(data_path: Path, seed: int, cache: Path | None) -> dict[str, np.ndarray]:
    """Out-of-fold scores of the training part and scores of the held-out part of one split
    (from the cache when there)."""
    path = cache / f"seed{seed}.npz" if cache else None
    if path and path.is_file():
        with np.load(path) as saved:
            return dict(saved) | {"seconds": np.array(0.0)}
    started = time.perf_counter()
    texts, labels, _ = load(data_path)
    docs = [_document(t) for t in texts]
    y_all = np.array(labels, dtype=object)
    train, test = train_test_split(
        np.arange(len(docs)), test_size=0.2, stratify=y_all, random_state=seed
    )
    y = y_all[train]
    classes = np.unique(y)
    train_docs, test_docs = [docs[i] for i in train], [docs[i] for i in test]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        oof_char, oof_word, (oof_sims, oof_labels) = _out_of_fold_scores(train_docs, y, classes)
    char_view, word_view = CharTfidf(), WordTfidf()
    x_char, x_word = char_view.fit_transform(train_docs), word_view.fit_transform(train_docs)
    test_word = word_view.transform(test_docs)
    truth = np.searchsorted(classes, y)
    sims, near = calibration.Neighbours(x_word, truth).nearest(test_word)
    out = {
        "truth": truth,
        "truth_test": np.searchsorted(classes, y_all[test]),
        "oof_char": oof_char,
        "oof_word": oof_word,
        "oof_sims": oof_sims,
        "oof_labels": oof_labels,
        "test_char": _scores(_fit_svm(x_char, y), char_view.transform(test_docs), classes),
        "test_word": _scores(_fit_svm(x_word, y), test_word, classes),
        "test_sims": sims,
        "test_labels": near,
        "seconds": np.array(time.perf_counter() - started),
    }
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **out)
    return out


def run_splits(
    data_path: Path, seeds: int, jobs: int = 1, use_cache: bool = True
) -> list[dict[str, np.ndarray]]:
    """`split_scores` of splits 0 to seeds - 1, `jobs` at a time."""
    cache = cache_dir(data_path) if use_cache else None
    if jobs <= 1:
        return [split_scores(data_path, seed, cache) for seed in range(seeds)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(split_scores, [data_path] * seeds, range(seeds), [cache] * seeds))


def _one_vs_rest_calibration(method: str, scores: np.ndarray, truth: np.ndarray):
    """Per-label calibrators of the SVM's scores, fitted as CalibratedClassifierCV does; a
    function from scores to normalised probabilities."""
    fitted = []
    for label in range(scores.shape[1]):
        target = (truth == label).astype(int)
        if method == "sigmoid":
            model = LogisticRegression(C=1e6, max_iter=1000).fit(scores[:, [label]], target)
            fitted.append(lambda s, m=model, j=label: m.predict_proba(s[:, [j]])[:, 1])
        else:
            model = IsotonicRegression(out_of_bounds="clip").fit(scores[:, label], target)
            fitted.append(lambda s, m=model, j=label: m.predict(s[:, j]))

    def predict(s: np.ndarray) -> np.ndarray:
        p = np.column_stack([f(s) for f in fitted])
        total = p.sum(axis=1, keepdims=True)
        return np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / p.shape[1])

    return predict


def _cross_fitted(method: str, scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Each out-of-fold row's calibrated probabilities from calibrators fitted without it."""
    out = np.zeros_like(scores)
    for a, b in KFold(5, shuffle=True, random_state=0).split(scores):
        out[b] = _one_vs_rest_calibration(method, scores[a], truth[a])(scores[b])
    return out


def candidates(s: dict[str, np.ndarray]) -> dict[str, tuple[tuple, tuple]]:
    """Per candidate: (predicted, confidence) out of fold and on the held-out part."""
    truth = s["truth"]
    rows_oof, rows_test = np.arange(len(truth)), np.arange(len(s["truth_test"]))
    oof_char, test_char = s["oof_char"], s["test_char"]
    top_oof, top_test = oof_char.argmax(axis=1), test_char.argmax(axis=1)
    t = _fit_temperature(oof_char, truth)
    out: dict[str, tuple[tuple, tuple]] = {
        "softmax": (
            (top_oof, _softmax(oof_char, t)[rows_oof, top_oof]),
            (top_test, _softmax(test_char, t)[rows_test, top_test]),
        ),
        "margin": tuple(
            (scores.argmax(axis=1), np.diff(np.sort(scores, axis=1)[:, -2:], axis=1)[:, 0])
            for scores in (oof_char, test_char)
        ),
    }
    for method in ("sigmoid", "isotonic"):
        oof_p = _cross_fitted(method, oof_char, truth)
        test_p = _one_vs_rest_calibration(method, oof_char, truth)(test_char)
        out[method] = tuple((p.argmax(axis=1), p.max(axis=1)) for p in (oof_p, test_p))
    for name, with_neighbours in (("format2", False), ("format3", True)):
        near_oof = (s["oof_sims"], s["oof_labels"]) if with_neighbours else None
        near_test = (s["test_sims"], s["test_labels"]) if with_neighbours else None
        top, x = calibration.features(s["oof_char"], s["oof_word"], near_oof)
        correct = top == truth
        model = calibration.Calibrator.fit(x, correct)
        test_top, test_x = calibration.features(s["test_char"], s["test_word"], near_test)
        out[name] = (
            (top, calibration.cross_validated_confidence(x, correct)),
            (test_top, model.predict(test_x)),
        )
    return out


def _best_possible(confidence: np.ndarray, right: np.ndarray, coverage: float = 0.85) -> float:
    order = np.argsort(-confidence, kind="stable")
    keep = int(np.ceil(coverage * len(order)))
    return float(right[order[:keep]].mean())


def evaluate(
    s: dict[str, np.ndarray], found: dict[str, tuple[tuple, tuple]], target: float
) -> dict[str, dict[str, float]]:
    """Each candidate of `found` (from `candidates(s)`) with a threshold for `target`."""
    results = {}
    for name, ((oof_top, oof_conf), (top, conf)) in found.items():
        right = top == s["truth_test"]
        threshold = calibration.choose_threshold(oof_conf, oof_top == s["truth"], target)
        sure = conf >= threshold.value
        results[name] = {
            "accuracy": float(right.mean()),
            "best_possible_precision_at_85": _best_possible(conf, right),
            "share_sure": float(sure.mean()),
            "precision_when_sure": float(right[sure].mean()) if sure.any() else float("nan"),
        }
    return results


def run(
    data_path: str | Path = DEFAULT_DATA,
    seeds: int = 5,
    targets: tuple[float, ...] = (TARGET,),
    jobs: int = 1,
    use_cache: bool = True,
) -> dict[str, Any]:
    data_path = Path(data_path)
    cache = cache_dir(data_path) if use_cache else None
    started = time.perf_counter()
    splits = run_splits(data_path, seeds, jobs, use_cache)
    found = [candidates(s) for s in splits]
    per_target = {}
    for target in targets:
        runs = [evaluate(s, f, target) for s, f in zip(splits, found, strict=True)]
        per_target[target] = {
            name: {key: statistics.median(r[name][key] for r in runs) for key in runs[0][name]}
            | {"lowest_precision_when_sure": min(r[name]["precision_when_sure"] for r in runs)}
            for name in runs[0]
        }
        for seed, r in enumerate(runs):
            print(f"target {target} seed {seed}: {r}", file=sys.stderr)
    return {
        "seeds": seeds,
        "tables": per_target,
        "split_seconds": [float(s["seconds"]) for s in splits],
        "seconds": time.perf_counter() - started,
        "cache": str(cache) if cache else None,
    }


def markdown(result: dict[str, Any]) -> str:
    seeds = result["seeds"]
    lines = []
    for target, table in result["tables"].items():
        lines += [
            f"| confidence (median of {seeds} splits) | accuracy | best possible: right among "
            f"the surest 85 % | threshold from training ({target:.1%}): shown as sure "
            "| right when sure | lowest split: right when sure |",
            "|---|---|---|---|---|---|",
        ]
        for name, m in table.items():
            lines.append(
                f"| {NAMES[name]} | {m['accuracy']:.1%} | "
                f"{m['best_possible_precision_at_85']:.1%} | {m['share_sure']:.1%} "
                f"| {m['precision_when_sure']:.1%} | {m['lowest_precision_when_sure']:.1%} |"
            )
        lines.append("")
    lines.append(
        f"Scores computed in {', '.join(f'{s:.0f}' for s in result['split_seconds'])} s per "
        f"split (0 where cached); whole run {result['seconds']:.0f} s."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random stratified splits")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="messages_labeled.csv")
    parser.add_argument("--jobs", type=int, default=1, help="splits computed at once")
    parser.add_argument(
        "--target",
        type=float,
        action="append",
        help=f"precision asked of sure suggestions (repeatable; default {TARGET})",
    )
    parser.add_argument("--no-cache", action="store_true", help="recompute every split")
    args = parser.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"skipped: data file not found: {args.data}")
        return 0
    targets = tuple(args.target or [TARGET])
    print(markdown(run(args.data, args.seeds, targets, args.jobs, not args.no_cache)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
