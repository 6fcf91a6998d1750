"""Which confidence separates right suggestions from wrong ones: the study behind
civicdesk/triage/confidence.py, on the public labelled messages.

    python bench/triage_confidence.py [--seeds 5] [--data PATH]

For each stratified 80/20 split (the splits of bench/triage_classify.py), every candidate
confidence is computed for the held-out messages, and two figures are reported per candidate:

- "best possible": the precision of the 85 % most confident held-out messages (the issue asks
  for 97 % at 85 % coverage; no threshold can do better than this ranking allows);
- "threshold from training": a threshold chosen on out-of-fold confidences of the training
  part (5 folds; right 97.5 % of the time above it), then applied to the held-out part: the
  share of messages shown as sure and how often those were right. This is what a deployed
  model can do, since it never sees the held-out messages.

Candidates: the softmax of the character SVM with a fitted temperature (the previous model),
its margin between the two best labels, scikit-learn's CalibratedClassifierCV (sigmoid and
isotonic, 5 folds) on that SVM, agreement with complement naive Bayes or logistic regression,
and ours: a logistic regression over what the character and the word SVMs said (their summed
and separate margins, and whether they agree). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.naive_bayes import ComplementNB  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from triage_classify import DEFAULT_DATA, load  # noqa: E402

from civicdesk.triage import confidence as calibration  # noqa: E402
from civicdesk.triage.charngrams import CharTfidf  # noqa: E402
from civicdesk.triage.classify import (  # noqa: E402
    _document,
    _fit_svm,
    _fit_temperature,
    _scores,
    _softmax,
)
from civicdesk.triage.wordview import WordTfidf  # noqa: E402

TARGET = calibration.TARGET_PRECISION


def _views(train_docs: list[str], test_docs: list[str], y: np.ndarray, classes: np.ndarray):
    """Character and word SVM scores of the test documents, trained on the train documents;
    and the character matrices (for the other candidates)."""
    char, word = CharTfidf(), WordTfidf()
    xc, xw = char.fit_transform(train_docs), word.fit_transform(train_docs)
    tc, tw = char.transform(test_docs), word.transform(test_docs)
    return (
        _scores(_fit_svm(xc, y), tc, classes),
        _scores(_fit_svm(xw, y), tw, classes),
        (xc, tc),
    )


def _candidates(char: np.ndarray, word: np.ndarray, extra: dict) -> dict[str, tuple]:
    """(predicted label index, confidence) per candidate, for one set of scores."""
    top = char.argmax(axis=1)
    rows = np.arange(len(top))
    soft = _softmax(char, extra["temperature"])
    ordered = np.sort(char, axis=1)
    ensemble_top, features = calibration.features(char, word)
    out = {
        "previous: softmax of the character SVM": (top, soft[rows, top]),
        "margin of the character SVM (top1 − top2)": (top, ordered[:, -1] - ordered[:, -2]),
        "softmax, + agreement with complement NB": (
            top,
            soft[rows, top] + (extra["nb"] == top),
        ),
        "ours: char + word SVMs, learned confidence": (
            ensemble_top,
            extra["calibrator"].predict(features) if extra["calibrator"] else None,
        ),
    }
    if "lr" in extra:
        out["softmax, + agreement with logistic regression"] = (
            top,
            soft[rows, top] + (extra["lr"] == top),
        )
    for method in ("sigmoid", "isotonic"):
        p = extra[method]
        out[f"CalibratedClassifierCV ({method}) on the character SVM"] = (
            p.argmax(axis=1),
            p.max(axis=1),
        )
    return out


WITH_LOGISTIC = False  # --with-logistic: 5-15 minutes more per split on 2 cores


def _others(xtrain, ytrain, xtest, classes) -> dict[str, np.ndarray]:
    index = {c: i for i, c in enumerate(classes)}
    out = {}
    for method in ("sigmoid", "isotonic"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = CalibratedClassifierCV(
                LinearSVC(C=1.0, class_weight="balanced"), method=method, cv=5
            ).fit(xtrain, ytrain)
        out[method] = model.predict_proba(xtest)
    out["nb"] = np.array(
        [index[c] for c in ComplementNB(alpha=0.3).fit(xtrain, ytrain).predict(xtest)]
    )
    if WITH_LOGISTIC:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lr = LogisticRegression(C=20, max_iter=300).fit(xtrain, ytrain)
        out["lr"] = np.array([index[c] for c in lr.predict(xtest)])
    return out


def _best_possible(confidence: np.ndarray, right: np.ndarray, coverage: float = 0.85) -> float:
    order = np.argsort(-confidence, kind="stable")
    keep = int(np.ceil(coverage * len(order)))
    return float(right[order[:keep]].mean())


def run(data_path: str | Path = DEFAULT_DATA, seeds: int = 5) -> dict[str, Any]:
    texts, labels, _ = load(Path(data_path))
    docs = [_document(t) for t in texts]
    y_all = np.array(labels, dtype=object)
    results: dict[str, list[dict[str, float]]] = {}
    for seed in range(seeds):
        started = time.perf_counter()
        train, test = train_test_split(
            np.arange(len(docs)), test_size=0.2, stratify=y_all, random_state=seed
        )
        y, y_test = y_all[train], y_all[test]
        classes = np.unique(y)
        truth, truth_test = np.searchsorted(classes, y), np.searchsorted(classes, y_test)
        train_docs, test_docs = [docs[i] for i in train], [docs[i] for i in test]
        # Out of fold inside the training part: each candidate's threshold comes from these.
        oof_char = np.zeros((len(train), len(classes)))
        oof_word = np.zeros_like(oof_char)
        oof_extra: dict[str, np.ndarray] = {
            "sigmoid": np.zeros_like(oof_char),
            "isotonic": np.zeros_like(oof_char),
            "nb": np.zeros(len(train), dtype=int),
        }
        if WITH_LOGISTIC:
            oof_extra["lr"] = np.zeros(len(train), dtype=int)
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        for a, b in folds.split(train_docs, y):
            char, word, (xa, xb) = _views(
                [train_docs[i] for i in a], [train_docs[i] for i in b], y[a], classes
            )
            oof_char[b], oof_word[b] = char, word
            for key, value in _others(xa, y[a], xb, classes).items():
                oof_extra[key][b] = value
        char, word, (xtrain, xtest) = _views(train_docs, test_docs, y, classes)
        test_extra = _others(xtrain, y, xtest, classes)
        temperature = _fit_temperature(oof_char, truth)
        top, features = calibration.features(oof_char, oof_word)
        right_oof = top == truth
        calibrator = calibration.Calibrator.fit(features, right_oof)
        oof_candidates = _candidates(
            oof_char,
            oof_word,
            oof_extra | {"temperature": temperature, "calibrator": None},
        )
        oof_candidates["ours: char + word SVMs, learned confidence"] = (
            top,
            calibration.cross_validated_confidence(features, right_oof),
        )
        test_candidates = _candidates(
            char, word, test_extra | {"temperature": temperature, "calibrator": calibrator}
        )
        for name, (predicted, confidence) in test_candidates.items():
            right = predicted == truth_test
            oof_predicted, oof_confidence = oof_candidates[name]
            threshold = calibration.choose_threshold(oof_confidence, oof_predicted == truth, TARGET)
            sure = confidence >= threshold.value
            results.setdefault(name, []).append(
                {
                    "accuracy": float(right.mean()),
                    "best_possible_precision_at_85": _best_possible(confidence, right),
                    "share_sure": float(sure.mean()),
                    "precision_when_sure": float(right[sure].mean())
                    if sure.any()
                    else float("nan"),
                }
            )
        print(f"seed {seed} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        for name, runs in results.items():
            print(f"  {name}: {runs[-1]}", file=sys.stderr, flush=True)
    return {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in results.items()
    } | {"seeds": seeds}


def markdown(result: dict[str, Any]) -> str:
    seeds = result.pop("seeds")
    lines = [
        f"| confidence (median of {seeds} splits) | accuracy | best possible: right among "
        f"the surest 85 % | threshold from training ({TARGET:.1%}): shown as sure "
        "| right when sure |",
        "|---|---|---|---|---|",
    ]
    for name, m in result.items():
        lines.append(
            f"| {name} | {m['accuracy']:.1%} | {m['best_possible_precision_at_85']:.1%} "
            f"| {m['share_sure']:.1%} | {m['precision_when_sure']:.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random stratified splits")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="messages_labeled.csv")
    parser.add_argument(
        "--with-logistic", action="store_true", help="also agreement with logistic regression"
    )
    args = parser.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"skipped: data file not found: {args.data}")
        return 0
    global WITH_LOGISTIC
    WITH_LOGISTIC = args.with_logistic
    print(markdown(run(args.data, args.seeds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
