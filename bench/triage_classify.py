"""Benchmark of triage classification on the public civic-messages data set.

    nice -n 10 python bench/triage_classify.py [--seeds 5] [--jobs 1] [--data PATH]

Runs, on the same stratified 80/20 splits in one process: a plain baseline (TF-IDF of jieba
words + LinearSVC, default settings), the previous model (issue 3: character n-grams, one SVM,
a softmax with a fitted temperature, "needs review" below 0.5) and ours
(civicdesk.triage.classify.TextClassifier). It prints a Markdown report: macro-F1 and accuracy
per split and their medians, the same scores with test messages that are reposts of a training
message removed, and for the two models that flag "needs a person": the share of held-out
messages shown as sure, how often those were right, and the median confidence; then training
time and classification throughput. The data is read at run time and never copied into the
repository.

Ours is scored on each split from the scores that bench/triage_confidence.py computes and
caches (the two views out of fold on the training part, and on the held-out part), with the
confidence and threshold fitted as `TextClassifier.train` fits them; on split 0 the real
`TextClassifier` is also trained (for its training time and throughput) and its predictions are
checked equal to the ones computed from the scores. The jieba words of the baseline are cached
too (under $TMPDIR/civicdesk-bench/, keyed by a hash of the data and the code).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import pickle
import platform
import random
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from civicdesk.triage import confidence as calibration  # noqa: E402
from civicdesk.triage.charngrams import CharTfidf  # noqa: E402
from civicdesk.triage.classify import TextClassifier, _document, _softmax  # noqa: E402
from civicdesk.triage.normalize import normalize  # noqa: E402
from civicdesk.triage.tokenize import tokenize  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "civic-messages" / "messages_labeled.csv"


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def load(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Raw texts (title + "\\n" + text), labels, and a repost key per message.

    Reposts are messages whose normalised text is the same up to whitespace (the title may
    differ or be missing): a test message whose key is in the training part is a repost.
    """
    texts, labels, keys = [], [], []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            raw = f"{row['title']}\n{row['text']}"
            texts.append(raw)
            labels.append(row["label"].strip())
            keys.append("".join(normalize(row["text"]).split()))
    return texts, labels, keys


def _scores(truth: list[str], predicted: list[str]) -> dict[str, float]:
    return {
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
    }


class PreviousModel:
    """The classifier before issue 14, for comparison in the same run: character n-grams, one
    LinearSVC, a softmax whose temperature minimises the log-loss of 3-fold cross-validated
    scores, and "needs review" below a probability of 0.5."""

    review_threshold = 0.5

    def __init__(self, texts: list[str], labels: list[str]) -> None:
        import math

        import numpy as np
        from scipy.optimize import minimize_scalar
        from sklearn.model_selection import StratifiedKFold

        docs = [_document(t) for t in texts]
        y = np.array(labels, dtype=object)
        self.view = CharTfidf()
        x = self.view.fit_transform(docs)
        self.svm = LinearSVC(C=1.0, class_weight="balanced").fit(x, y)
        scores = np.zeros((len(y), len(self.svm.classes_)))
        for train, test in StratifiedKFold(3, shuffle=True, random_state=0).split(x, y):
            fold = LinearSVC(C=1.0, class_weight="balanced").fit(x[train], y[train])
            scores[test] = fold.decision_function(x[test])
        truth = np.searchsorted(self.svm.classes_, y)

        def log_loss(log_t: float) -> float:
            p = _softmax(scores, math.exp(log_t))
            return float(-np.mean(np.log(p[np.arange(len(y)), truth] + 1e-12)))

        best = minimize_scalar(log_loss, bounds=(math.log(0.01), math.log(10.0)), method="bounded")
        self.temperature = math.exp(best.x)

    def predict(self, texts: list[str]) -> tuple[list[str], list[float]]:
        x = self.view.transform([_document(t) for t in texts])
        p = _softmax(self.svm.decision_function(x), self.temperature)
        return [str(c) for c in self.svm.classes_[p.argmax(axis=1)]], p.max(axis=1).tolist()


def _selective(
    truth: list[str], predicted: list[str], confidence: list[float], threshold: float
) -> dict[str, float]:
    """How the "needs a person" rule did: share of messages shown as sure, and how often
    those were right; and the median confidence."""
    sure = [p == t for p, t, c in zip(predicted, truth, confidence, strict=True) if c >= threshold]
    return {
        "share_sure": len(sure) / len(truth),
        "precision_when_sure": sum(sure) / len(sure) if sure else float("nan"),
        "median_confidence": statistics.median(confidence),
        "max_confidence": max(confidence),
    }


def _throughput(predict, texts: list[str], runs: int) -> float:
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        predict(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {model}"


def _baseline_tokens(data_path: Path, texts: list[str]) -> tuple[list[list[str]], float]:
    """jieba's words of every message (slow: jieba is pure Python), cached; and the seconds
    the segmentation took when it was done."""
    import triage_confidence

    digest = hashlib.sha256(data_path.read_bytes())
    digest.update((ROOT / "civicdesk" / "triage" / "tokenize.py").read_bytes())
    base = triage_confidence.cache_dir(data_path).parent
    path = base / f"jieba-{digest.hexdigest()[:16]}.pickle"
    if path.is_file():
        with open(path, "rb") as f:
            return pickle.load(f)  # noqa: S301 - our own cache file
    start = time.perf_counter()
    tokens = [tokenize(normalize(t)) for t in texts]
    found = (tokens, time.perf_counter() - start)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump(found, f, protocol=pickle.HIGHEST_PROTOCOL)
    return found


def ours_from_scores(s: dict[str, np.ndarray]) -> dict[str, Any]:
    """Ours on one split from its cached scores, fitted as `TextClassifier.train` does: the
    suggested label (best summed score), the confidence from the calibrator fitted on the
    out-of-fold features, the threshold from their cross-validated confidences."""
    near_oof = (s["oof_sims"], s["oof_labels"])
    top, x = calibration.features(s["oof_char"], s["oof_word"], near_oof)
    correct = top == s["truth"]
    calibrator = calibration.Calibrator.fit(x, correct)
    chosen = calibration.choose_threshold(
        calibration.cross_validated_confidence(x, correct), correct
    )
    near = (s["test_sims"], s["test_labels"])
    test_top, test_x = calibration.features(s["test_char"], s["test_word"], near)
    return {
        "predicted": test_top,
        "confidence": calibrator.predict(test_x),
        "threshold": chosen.value,
        "quality": {
            "accuracy": float(correct.mean()),
            "threshold": chosen.value,
            "precision_when_sure": chosen.precision,
            "share_sure": chosen.coverage,
        },
    }


def run(data_path: str | Path = DEFAULT_DATA, seeds: int = 5, jobs: int = 1) -> dict[str, Any]:
    """Run the benchmark; returns everything that the report prints."""
    import triage_confidence

    data_path = Path(data_path)
    started = time.perf_counter()
    scores = triage_confidence.run_splits(data_path, seeds, jobs)
    texts, labels, keys = load(Path(data_path))
    groups: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[k].append(i)
    repost_groups = [g for g in groups.values() if len(g) > 1]
    conflicting = sum(1 for g in repost_groups if len({labels[i] for i in g}) > 1)

    tokens, tokenize_seconds = _baseline_tokens(data_path, texts)  # segmented once

    splits = []
    seed0: dict[str, Any] = {}
    for seed in range(seeds):
        train, test = train_test_split(
            list(range(len(texts))), test_size=0.2, stratify=labels, random_state=seed
        )
        y_train = [labels[i] for i in train]
        y_test = [labels[i] for i in test]
        train_keys = {keys[i] for i in train}
        unique_pos = [p for p, i in enumerate(test) if keys[i] not in train_keys]

        start = time.perf_counter()
        vectorizer = TfidfVectorizer(analyzer=_identity)
        baseline = LinearSVC().fit(vectorizer.fit_transform([tokens[i] for i in train]), y_train)
        base_train_s = time.perf_counter() - start
        base_pred = list(baseline.predict(vectorizer.transform([tokens[i] for i in test])))

        start = time.perf_counter()
        previous = PreviousModel([texts[i] for i in train], y_train)
        previous_train_s = time.perf_counter() - start
        test_texts = [texts[i] for i in test]
        previous_pred, previous_conf = previous.predict(test_texts)

        classes = np.unique(y_train)
        from_scores = ours_from_scores(scores[seed])
        ours_pred = [str(c) for c in classes[from_scores["predicted"]]]
        ours_conf = from_scores["confidence"].tolist()
        ours_threshold = from_scores["threshold"]
        ours_train_s = float("nan")
        if seed == 0:  # the real thing, for its training time, throughput and a check
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                ours = TextClassifier.train([texts[i] for i in train], y_train)
            ours_train_s = time.perf_counter() - start
            predictions = ours.predict(test_texts, explain=False)
            same = [p.label for p in predictions] == ours_pred and np.allclose(
                [p.confidence for p in predictions], ours_conf, atol=1e-6
            )
            if not same or abs(ours.review_threshold - ours_threshold) > 1e-9:
                raise AssertionError(
                    "TextClassifier disagrees with the scores cached for split 0: delete "
                    f"{triage_confidence.cache_dir(data_path)} and run again"
                )

        def dedup(pred: list[str], truth=y_test, keep=unique_pos) -> dict[str, float]:
            return _scores([truth[p] for p in keep], [pred[p] for p in keep])

        splits.append(
            {
                "seed": seed,
                "n_train": len(train),
                "n_test": len(test),
                "test_reposts_of_train": len(test) - len(unique_pos),
                "baseline": _scores(y_test, base_pred) | {"train_seconds": base_train_s},
                "previous": _scores(y_test, previous_pred)
                | {"train_seconds": previous_train_s}
                | _selective(y_test, previous_pred, previous_conf, previous.review_threshold),
                "ours": _scores(y_test, ours_pred)
                | {"train_seconds": ours_train_s}
                | _selective(y_test, ours_pred, ours_conf, ours_threshold)
                | {"cv_" + k: v for k, v in from_scores["quality"].items()},
                "baseline_dedup": dedup(base_pred),
                "previous_dedup": dedup(previous_pred),
                "ours_dedup": dedup(ours_pred),
            }
        )
        print(f"seed {seed}: {splits[-1]}", file=sys.stderr, flush=True)
        if seed == 0:
            seed0 = {
                "model": ours,
                "previous": previous,
                "vectorizer": vectorizer,
                "svm": baseline,
                "test": test_texts,
            }

    rng = random.Random(0)
    resampled = [rng.choice(seed0["test"]) for _ in range(10_000)]
    ours_model: TextClassifier = seed0["model"]

    def baseline_predict(batch: list[str]) -> None:
        words = [tokenize(normalize(t)) for t in batch]
        seed0["svm"].predict(seed0["vectorizer"].transform(words))

    def ours_predict(batch: list[str]) -> None:
        ours_model.predict(batch, explain=False)  # as `civicdesk triage classify` does

    throughput = {
        "ours_test_msgs_per_s": _throughput(ours_predict, seed0["test"], 5),
        "ours_10k_msgs_per_s": _throughput(ours_predict, resampled, 3),
        "ours_explained_msgs_per_s": _throughput(ours_model.predict, seed0["test"][:300], 1) * 1.0,
        "previous_test_msgs_per_s": _throughput(seed0["previous"].predict, seed0["test"], 5),
        "baseline_test_msgs_per_s": _throughput(baseline_predict, seed0["test"], 3),
        "n_test": len(seed0["test"]),
    }

    def median(model: str, metric: str) -> float:
        return statistics.median(s[model][metric] for s in splits)

    summary = {
        m: {k: median(m, k) for k in ("macro_f1", "accuracy")}
        for m in ("baseline", "previous", "ours", "baseline_dedup", "previous_dedup", "ours_dedup")
    }
    for m in ("baseline", "previous"):
        summary[m]["train_seconds"] = median(m, "train_seconds")
    summary["ours"]["train_seconds"] = splits[0]["ours"]["train_seconds"]
    for m in ("previous", "ours"):
        for k in ("share_sure", "precision_when_sure", "median_confidence", "max_confidence"):
            summary[m][k] = median(m, k)
    return {
        "data": str(data_path),
        "n_messages": len(texts),
        "n_labels": len(set(labels)),
        "repost_groups": len(repost_groups),
        "repost_messages": sum(len(g) for g in repost_groups),
        "repost_groups_with_conflicting_labels": conflicting,
        "splits": splits,
        "median": summary,
        "throughput": throughput,
        "baseline_segmentation_seconds_all_messages": tokenize_seconds,
        "machine": machine(),
        "seconds": time.perf_counter() - started,
        "score_seconds": [float(s["seconds"]) for s in scores],
    }


def markdown(result: dict[str, Any]) -> str:
    s0 = result["splits"][0]
    med = result["median"]
    n = len(result["splits"])
    names = (
        ("baseline", "baseline: TF-IDF jieba words + LinearSVC (defaults)"),
        ("previous", "previous model: char 1–3-grams + LinearSVC, softmax, review < 0.5"),
        ("ours", "ours: char 1–3-grams + rjieba words, two SVMs, learned confidence (format 3)"),
    )
    lines = [
        f"| model | macro-F1 median ({n} seeds) | accuracy median | macro-F1 seed 0 "
        "| accuracy seed 0 | macro-F1 median, reposts removed | train s (median; ours seed 0) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, name in names:
        lines.append(
            f"| {name} | {med[key]['macro_f1']:.4f} | {med[key]['accuracy']:.4f} "
            f"| {s0[key]['macro_f1']:.4f} | {s0[key]['accuracy']:.4f} "
            f"| {med[key + '_dedup']['macro_f1']:.4f} | {med[key]['train_seconds']:.1f} |"
        )
    lines += [
        "",
        f"| model | shown as sure (median of {n}) | right when sure (median) "
        "| median confidence | highest confidence |",
        "|---|---|---|---|---|",
    ]
    for key, name in names[1:]:
        lines.append(
            f"| {name} | {med[key]['share_sure']:.1%} | {med[key]['precision_when_sure']:.1%} "
            f"| {med[key]['median_confidence']:.3f} | {med[key]['max_confidence']:.4f} |"
        )
    lines += [
        "",
        "| seed | test reposts of a training message | baseline macro-F1 | previous | ours "
        "| ours: sure | ours: right when sure | ours: CV threshold | previous: sure "
        "| previous: right when sure |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result["splits"]:
        o, p = s["ours"], s["previous"]
        lines.append(
            f"| {s['seed']} | {s['test_reposts_of_train']} of {s['n_test']} "
            f"| {s['baseline']['macro_f1']:.4f} | {p['macro_f1']:.4f} | {o['macro_f1']:.4f} "
            f"| {o['share_sure']:.1%} | {o['precision_when_sure']:.1%} "
            f"| {o.get('cv_threshold', float('nan')):.3f} "
            f"| {p['share_sure']:.1%} | {p['precision_when_sure']:.1%} |"
        )
    t = result["throughput"]
    lines += [
        "",
        "Reposts (same normalised text up to whitespace, title ignored): "
        f"{result['repost_groups']} "
        f"groups, {result['repost_messages']} messages, "
        f"{result['repost_groups_with_conflicting_labels']} groups with conflicting labels.",
        "",
        f"Throughput (seed-0 models, incl. normalisation, median of timed runs): ours "
        f"{t['ours_test_msgs_per_s']:,.0f} msg/s on the {t['n_test']} test messages and "
        f"{t['ours_10k_msgs_per_s']:,.0f} msg/s on 10,000 resampled ones (as `triage classify`, "
        f"without explanations), {t['ours_explained_msgs_per_s']:,.0f} msg/s with explanations; "
        f"previous model {t['previous_test_msgs_per_s']:,.0f} msg/s; "
        f"baseline (jieba) {t['baseline_test_msgs_per_s']:,.0f} msg/s. Baseline train time "
        "excludes jieba segmentation, done once for all messages in "
        f"{result['baseline_segmentation_seconds_all_messages']:.1f} s.",
        "",
        f"Machine: {result['machine']}. Whole run {result['seconds']:.0f} s; the scores of "
        "ours took "
        + ", ".join(f"{x:.0f}" for x in result["score_seconds"])
        + " s per split (0: cached).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random stratified splits")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="messages_labeled.csv")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--jobs", type=int, default=1, help="splits scored at once")
    args = parser.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"skipped: data file not found: {args.data}")
        return 0
    result = run(args.data, args.seeds, args.jobs)
    if args.json:
        Path(args.json).write_text(json.dumps(result, default=str, indent=1), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
