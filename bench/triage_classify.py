"""Benchmark of triage classification on the public civic-messages data set.

    python bench/triage_classify.py [--seeds 5] [--data PATH]

Runs, on the same stratified 80/20 splits in one process: a plain baseline (TF-IDF of jieba
words + LinearSVC, default settings), the previous model (issue 3: character n-grams, one SVM,
a softmax with a fitted temperature, "needs review" below 0.5) and ours
(civicdesk.triage.classify.TextClassifier). It prints a Markdown report: macro-F1 and accuracy
per split and their medians, the same scores with test messages that are reposts of a training
message removed, and for the two models that flag "needs a person": the share of held-out
messages shown as sure, how often those were right, and the median confidence; then training
time and classification throughput. The data is read at run time and never copied into the
repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
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

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

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


def run(data_path: str | Path = DEFAULT_DATA, seeds: int = 5) -> dict[str, Any]:
    """Run the benchmark; returns everything that the report prints."""
    texts, labels, keys = load(Path(data_path))
    groups: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[k].append(i)
    repost_groups = [g for g in groups.values() if len(g) > 1]
    conflicting = sum(1 for g in repost_groups if len({labels[i] for i in g}) > 1)

    start = time.perf_counter()
    tokens = [tokenize(normalize(t)) for t in texts]  # the baseline's words, segmented once
    tokenize_seconds = time.perf_counter() - start

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

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            ours = TextClassifier.train([texts[i] for i in train], y_train)
        ours_train_s = time.perf_counter() - start
        predictions = ours.predict(test_texts, explain=False)
        ours_pred = [p.label for p in predictions]

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
                | _selective(
                    y_test, ours_pred, [p.confidence for p in predictions], ours.review_threshold
                )
                | {"cv_" + k: v for k, v in ours.quality.items() if isinstance(v, float)},
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
    for m in ("baseline", "previous", "ours"):
        summary[m]["train_seconds"] = median(m, "train_seconds")
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
    }


def markdown(result: dict[str, Any]) -> str:
    s0 = result["splits"][0]
    med = result["median"]
    n = len(result["splits"])
    names = (
        ("baseline", "baseline: TF-IDF jieba words + LinearSVC (defaults)"),
        ("previous", "previous model: char 1–3-grams + LinearSVC, softmax, review < 0.5"),
        ("ours", "ours: char 1–3-grams + rjieba words, two SVMs, learned confidence"),
    )
    lines = [
        f"| model | macro-F1 median ({n} seeds) | accuracy median | macro-F1 seed 0 "
        "| accuracy seed 0 | macro-F1 median, reposts removed | train s (median) |",
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
        f"Machine: {result['machine']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random stratified splits")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="messages_labeled.csv")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"skipped: data file not found: {args.data}")
        return 0
    result = run(args.data, args.seeds)
    if args.json:
        Path(args.json).write_text(json.dumps(result, default=str, indent=1), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
