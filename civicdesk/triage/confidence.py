"""How sure a suggestion is, and below what it needs a person.

A linear SVM's scores rank messages but are no probabilities: a softmax of them called 97 % of
held-out messages sure at a median 0.997, and 7 % of those were wrong. Here the confidence of
a suggestion is the probability that its label is right, learned from the classifier's own
mistakes: the training cases are scored out of fold (each by a model that never saw it), and
a logistic regression maps what the two views said about a case (`features`) to whether the
top label was right. The "needs a person" threshold is then the lowest confidence at which the
out-of-fold suggestions above it were right at least `TARGET_PRECISION` of the time, with the
confidences themselves cross-validated so that the threshold is not tuned on what it scores.

Tried on held-out splits of the public labelled messages before choosing this (docs/
benchmarks.md): a softmax with a fitted temperature, scikit-learn's CalibratedClassifierCV
(sigmoid and isotonic) on the SVM, the SVM's margin between its two best labels, agreement
with complement naive Bayes, logistic regression or nearest neighbours. Agreement between a
character and a word view, with both margins, separated right from wrong best.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

__all__ = [
    "MAX_CONFIDENCE",
    "TARGET_PRECISION",
    "Calibrator",
    "Threshold",
    "choose_threshold",
    "features",
]

# Suggestions called sure must be right this often on cases the model did not learn from.
# Chosen above the 0.97 asked for: held-out splits come out a little below or above the
# cross-validated figure, and being wrong while sure costs more than asking a person.
TARGET_PRECISION = 0.975
# Never 100 %: with a few thousand training cases no estimate is surer than this.
MAX_CONFIDENCE = 0.99
CALIBRATION_FOLDS = 5


def _margins(scores: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Score of label `top` minus the best other label's score, per row (negative when another
    label scores higher)."""
    rows = np.arange(len(top))
    chosen = scores[rows, top]
    others = scores.copy()
    others[rows, top] = -np.inf
    return chosen - others.max(axis=1)


def features(char_scores: np.ndarray, word_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The suggested label of each row (best summed score) and what predicts whether it is
    right: the margin of the sum, each view's own margin for that label, whether the two
    views agree, and the summed score itself."""
    summed = char_scores + word_scores
    top = summed.argmax(axis=1)
    agree = char_scores.argmax(axis=1) == word_scores.argmax(axis=1)
    x = np.column_stack(
        [
            _margins(summed, top),
            _margins(char_scores, top),
            _margins(word_scores, top),
            agree.astype(float),
            summed[np.arange(len(top)), top],
        ]
    )
    return top, x


@dataclass
class Calibrator:
    """Probability that a suggestion is right, from its `features`."""

    model: LogisticRegression

    @classmethod
    def fit(cls, x: np.ndarray, correct: np.ndarray) -> Calibrator | None:
        """None when the out-of-fold suggestions were all right (or all wrong): there is no
        mistake to learn from, and the caller falls back on the softmax of the scores."""
        if correct.all() or not correct.any():
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return cls(LogisticRegression(C=1.0, max_iter=1000).fit(x, correct))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(self.model.predict_proba(x)[:, 1], MAX_CONFIDENCE)


def cross_validated_confidence(x: np.ndarray, correct: np.ndarray) -> np.ndarray:
    """Each training case's confidence from a calibrator fitted without it."""
    wrong = int((~correct).sum())
    folds = min(CALIBRATION_FOLDS, wrong, int(correct.sum()))
    if folds < 2:  # one or no mistake: nothing to hold out, the in-sample fit it is
        return Calibrator(LogisticRegression(C=1.0, max_iter=1000).fit(x, correct)).predict(x)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        p = cross_val_predict(
            LogisticRegression(C=1.0, max_iter=1000),
            x,
            correct,
            cv=splitter,
            method="predict_proba",
        )[:, 1]
    return np.minimum(p, MAX_CONFIDENCE)


@dataclass(frozen=True)
class Threshold:
    value: float  # suggestions at least this confident are shown as sure
    precision: float | None  # share of the out-of-fold suggestions at or above it that were right
    coverage: float  # share of the out-of-fold suggestions at or above it


def choose_threshold(
    confidence: np.ndarray, correct: np.ndarray, target: float = TARGET_PRECISION
) -> Threshold:
    """The lowest threshold whose suggestions at or above it were right at least `target` of
    the time; when even the surest are not, nothing is called sure (threshold above 1)."""
    order = np.argsort(-confidence, kind="stable")
    ranked, right = confidence[order], correct[order]
    precision = np.cumsum(right) / np.arange(1, len(right) + 1)
    # A threshold keeps every case with that confidence: only cut where the value changes.
    last_of_value = np.append(ranked[1:] != ranked[:-1], True)
    good = np.flatnonzero((precision >= target) & last_of_value)
    if len(good) == 0:
        return Threshold(value=1.01, precision=None, coverage=0.0)
    cut = good.max()
    return Threshold(
        value=float(ranked[cut]),
        precision=float(precision[cut]),
        coverage=float((cut + 1) / len(ranked)),
    )
