"""First-level classification of citizen messages: which department's category a message is.

Two views of the normalised title and text (the title counted twice) are each scored by a
linear SVM, and the scores are added: TF-IDF of character 1–3-grams (`charngrams`, counted with
numpy) and TF-IDF of whole words (`wordview`, segmented by rjieba). The label with the best sum
is suggested. Its confidence is the probability that it is right, learned from the model's own
out-of-fold mistakes on its training data (from both views' scores and from the labels of the
most similar training messages, which the model keeps), and below a threshold chosen the same
way the suggestion "needs a person" (`confidence`). See docs/benchmarks.md ("Triage:
classification") for the measurements behind these choices.

Texts come in raw, the title and the text joined by the caller with "\\n"; the part before the
first newline, if short, is taken as the title. Everything is normalised here with
`normalize()` (Traditional → Simplified, full-width → half-width, HTML and `_x000D_` removed).
The words given as the reason for a suggestion are whole words of the message, never numbers
or personal data (`evidence`).

Security: model files are pickles, and loading a pickle can run arbitrary code. Load only
model files you made yourself or otherwise trust.
"""

from __future__ import annotations

import math
import pickle
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from civicdesk.triage import confidence as calibration
from civicdesk.triage.charngrams import CharTfidf
from civicdesk.triage.errors import ModelFormatError, TriageError
from civicdesk.triage.evidence import candidate_words
from civicdesk.triage.normalize import normalize
from civicdesk.triage.wordview import WordTfidf

__all__ = ["Prediction", "TextClassifier", "evaluate"]

FORMAT_NAME = "civicdesk-triage-classifier"
TITLE_WEIGHT = 2  # the title is counted this many times; it names the problem most directly
MAX_TITLE_CHARS = 100  # a longer first line is treated as text, not as a title
SVM_C = 1.0  # chosen by 5-fold CV inside the seed-0 training part (0.2–1.0)
DEFAULT_TEMPERATURE = 0.3  # used when the training set is too small to fit one
# Too few training cases to learn confidence from out-of-fold mistakes: a fixed threshold
# on the softmax, and the quality says that nothing was measured.
FALLBACK_REVIEW_THRESHOLD = 0.9
OUT_OF_FOLD_SPLITS = 5
EXPLAIN_TERMS = 8
# predict() vectorises this many messages at a time: the n-gram arrays of a 10,000-message
# batch outgrow the CPU caches and the sorts slow down (2,350 msg/s in one batch against
# 3,850 msg/s in batches of 512, measured on 10,000 test messages)
PREDICT_BATCH = 512


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # probability that `label` is right, 0..MAX_CONFIDENCE (never 1)
    top3: list[tuple[str, float]]  # best first; the first is (label, confidence)
    needs_review: bool  # confidence < review_threshold: a person should decide
    explanation: list[str]  # whole words of the message that pushed most towards `label`


def _document(raw: str) -> str:
    """The analysed form of one message: normalised title (weighted) and text."""
    raw = raw or ""
    head, sep, rest = raw.partition("\n")
    title = normalize(head) if sep else ""
    if len(title) > MAX_TITLE_CHARS:
        title, rest = "", raw
    text = normalize(rest if sep else raw)
    if not title:
        return text
    return " ".join([title] * TITLE_WEIGHT + ([text] if text else []))


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _scores(model: LinearSVC, x: sp.csr_matrix, classes: np.ndarray | None = None) -> np.ndarray:
    """Decision scores with one column per label of `classes` (default: the model's own); a
    label the model never saw gets a score below every other."""
    s = model.decision_function(x)
    if s.ndim == 1:  # two classes: scikit-learn gives the score of the second one only
        s = np.column_stack([-s, s]) / 2.0
    if classes is None or np.array_equal(model.classes_, classes):
        return s
    full = np.full((s.shape[0], len(classes)), s.min() - 1.0 if s.size else -1.0)
    full[:, np.searchsorted(classes, model.classes_)] = s
    return full


def _fit_svm(x: sp.csr_matrix, y: np.ndarray) -> LinearSVC:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # random_state: liblinear shuffles the cases; fixed, a model retrained on the same
        # data is the same model (bench/triage_classify.py checks its cached scores by it)
        return LinearSVC(C=SVM_C, class_weight="balanced", random_state=0).fit(x, y)


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """Softmax temperature minimising the log-loss of out-of-fold scores; it shares out the
    probability left beside the top label among the others."""

    def log_loss(log_t: float) -> float:
        p = _softmax(scores, math.exp(log_t))
        return float(-np.mean(np.log(p[np.arange(len(truth)), truth] + 1e-12)))

    best = minimize_scalar(log_loss, bounds=(math.log(0.01), math.log(10.0)), method="bounded")
    return math.exp(best.x)


def _out_of_fold_scores(
    docs: list[str], y: np.ndarray, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
    """Both views' scores of every training case by models fitted without it, and its
    nearest neighbours among the other folds' cases; None when the training set is too small
    to hold cases out."""
    smallest = min(Counter(y.tolist()).values())
    folds = min(OUT_OF_FOLD_SPLITS, smallest)
    if folds < 2 or len(y) < 20:
        return None
    char = np.zeros((len(y), len(classes)))
    word = np.zeros_like(char)
    k = calibration.NEIGHBOURS
    near_sims = np.zeros((len(y), k), dtype=np.float32)
    near_labels = np.zeros((len(y), k), dtype=np.int32)
    truth = np.searchsorted(classes, y)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(docs, y):
        train_docs = [docs[i] for i in train]
        test_docs = [docs[i] for i in test]
        char_view, word_view = CharTfidf(), WordTfidf()
        x_char, x_word = char_view.fit_transform(train_docs), word_view.fit_transform(train_docs)
        char[test] = _scores(_fit_svm(x_char, y[train]), char_view.transform(test_docs), classes)
        test_word = word_view.transform(test_docs)
        word[test] = _scores(_fit_svm(x_word, y[train]), test_word, classes)
        sims, labels = calibration.Neighbours(x_word, truth[train]).nearest(test_word, k)
        near_sims[test, : sims.shape[1]], near_labels[test, : sims.shape[1]] = sims, labels
    return char, word, (near_sims, near_labels)


class TextClassifier:
    """A trained first-level classifier; `train`, then `predict`, `save` and `load`."""

    # 3: the confidence also asks the nearest training messages (`calibration.Neighbours`)
    FORMAT_VERSION: ClassVar[int] = 3

    def __init__(
        self,
        views: tuple[CharTfidf, WordTfidf],
        models: tuple[LinearSVC, LinearSVC],
        calibrator: calibration.Calibrator | None,
        temperature: float,
        review_threshold: float,
        quality: dict[str, Any],
        neighbours: calibration.Neighbours,
    ) -> None:
        self._char_view, self._word_view = views
        self._char_svm, self._word_svm = models
        self._calibrator = calibrator
        self._neighbours = neighbours
        self.temperature = temperature
        self.review_threshold = review_threshold
        # Out-of-fold figures of the training data: how often suggestions were right, and the
        # share of them at or above the threshold and how often those were right.
        self.quality = quality
        self.labels: list[str] = [str(c) for c in self._char_svm.classes_]

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        review_threshold: float | None = None,
        target_precision: float = calibration.TARGET_PRECISION,
    ) -> TextClassifier:
        """Train on raw texts and their labels.

        Without `review_threshold`, suggestions less confident than the threshold chosen by
        cross-validation on the training data (right at least `target_precision` of the time
        above it) are marked needs_review; a number fixes the threshold instead.

        Raises TriageError for no texts, a length mismatch, a missing or blank label, an
        empty text (after normalisation), or fewer than two distinct labels. A label with a
        single example is accepted with a UserWarning: the model can predict it, but it has
        almost nothing to go on and the probabilities are not calibrated for it.
        """
        if review_threshold is not None and not 0.0 <= review_threshold <= 1.0:
            raise TriageError(f"review_threshold must be between 0 and 1, not {review_threshold}")
        if not 0.0 < target_precision <= 1.0:
            raise TriageError(
                f"target_precision must be above 0 and at most 1, not {target_precision}"
            )
        if len(texts) == 0:
            raise TriageError("no texts to train on")
        if len(texts) != len(labels):
            raise TriageError(f"{len(texts)} texts but {len(labels)} labels; they must pair up")
        clean_labels = []
        for i, label in enumerate(labels):
            label = "" if label is None else str(label).strip()
            if not label:
                raise TriageError("the label is empty", row=i + 1, column="label")
            clean_labels.append(label)
        docs = [_document(t) for t in texts]
        for i, d in enumerate(docs):
            if not d:
                raise TriageError("the text is empty", row=i + 1, column="text")
        counts = Counter(clean_labels)
        if len(counts) < 2:
            raise TriageError(
                f"need at least 2 different labels to train, got {len(counts)}: "
                + ", ".join(sorted(counts))
            )
        rare = sorted(label for label, n in counts.items() if n < 2)
        if rare:
            warnings.warn(
                "labels with a single training example (predicted poorly): " + ", ".join(rare),
                UserWarning,
                stacklevel=2,
            )
        y = np.array(clean_labels, dtype=object)
        classes = np.unique(y)
        char_view, word_view = CharTfidf(), WordTfidf()
        char_svm = _fit_svm(char_view.fit_transform(docs), y)
        x_word = word_view.fit_transform(docs)
        word_svm = _fit_svm(x_word, y)
        neighbours = calibration.Neighbours(x_word, np.searchsorted(classes, y))

        calibrator, temperature = None, DEFAULT_TEMPERATURE
        threshold = FALLBACK_REVIEW_THRESHOLD
        quality: dict[str, Any] = {"cross_validated": False, "n_train": len(y)}
        held_out = _out_of_fold_scores(docs, y, classes)
        if held_out is not None:
            truth = np.searchsorted(classes, y)
            top, x = calibration.features(*held_out)
            correct = top == truth
            calibrator = calibration.Calibrator.fit(x, correct)
            summed = held_out[0] + held_out[1]
            temperature = _fit_temperature(summed, truth)
            if calibrator is not None:
                sure = calibration.cross_validated_confidence(x, correct)
            else:  # no mistake to learn from: the softmax, as predict() will use it
                shares = _softmax(summed, temperature)[np.arange(len(top)), top]
                sure = np.minimum(shares, calibration.MAX_CONFIDENCE)
            chosen = calibration.choose_threshold(sure, correct, target_precision)
            threshold = chosen.value
            quality = {
                "cross_validated": True,
                "n_train": len(y),
                "accuracy": float(correct.mean()),
                "target_precision": target_precision,
                "threshold": chosen.value,
                "precision_when_sure": chosen.precision,
                "share_sure": chosen.coverage,
            }
        if review_threshold is not None:
            threshold = review_threshold
        quality["review_threshold"] = threshold
        return cls(
            (char_view, word_view),
            (char_svm, word_svm),
            calibrator,
            temperature,
            threshold,
            quality,
            neighbours,
        )

    def predict(self, texts: Sequence[str], *, explain: bool = True) -> list[Prediction]:
        """One Prediction per text, in order; empty texts get the prior-free best guess.
        `explain=False` leaves the explanations empty (they cost a segmentation and a
        personal-data scan per message, which a batch that shows none can skip)."""
        out: list[Prediction] = []
        for start in range(0, len(texts), PREDICT_BATCH):
            out.extend(self._predict_batch(texts[start : start + PREDICT_BATCH], explain))
        return out

    def _predict_batch(self, texts: Sequence[str], explain: bool) -> list[Prediction]:
        docs = [_document(t) for t in texts]
        x_char = self._char_view.transform(docs)
        x_word = self._word_view.transform(docs)
        char, word = _scores(self._char_svm, x_char), _scores(self._word_svm, x_word)
        near = self._neighbours.nearest(x_word) if self._calibrator is not None else None
        top, features = calibration.features(char, word, near)
        shares = _softmax(char + word, self.temperature)
        rows = np.arange(len(docs))
        if self._calibrator is not None:
            sure = self._calibrator.predict(features)
        else:
            sure = np.minimum(shares[rows, top], calibration.MAX_CONFIDENCE)
        # The others share what the top label leaves, in the softmax's proportions, and none
        # is shown above the top one.
        rest = np.maximum(1.0 - shares[rows, top], 1e-12)
        others = np.minimum(shares * ((1.0 - sure) / rest)[:, None], sure[:, None])
        others[rows, top] = -1.0
        out = []
        for i, doc in enumerate(docs):
            best = int(top[i])
            runners = [int(j) for j in np.argsort(-others[i], kind="stable")[:2] if j != best]
            top3 = [(self.labels[best], float(sure[i]))]
            top3 += [(self.labels[j], float(others[i, j])) for j in runners[:2]]
            out.append(
                Prediction(
                    label=self.labels[best],
                    confidence=float(sure[i]),
                    top3=top3,
                    needs_review=bool(sure[i] < self.review_threshold),
                    explanation=self._explain(x_char, x_word, i, best, doc) if explain else [],
                )
            )
        return out

    def _weights(self, model: LinearSVC, label: int) -> np.ndarray:
        # with two labels scikit-learn keeps one row of weights, scoring the second label
        coef = model.coef_
        return coef[label] if coef.shape[0] > 1 else (1.0 if label == 1 else -1.0) * coef[0]

    def _explain(
        self, x_char: sp.csr_matrix, x_word: sp.csr_matrix, row: int, label: int, doc: str
    ) -> list[str]:
        """Whole words of the message whose character n-grams and word feature pushed most
        towards `label`; never digits or personal data (see `evidence`)."""
        span = slice(x_char.indptr[row], x_char.indptr[row + 1])
        columns, values = x_char.indices[span], x_char.data[span]
        char_weights = self._weights(self._char_svm, label)
        terms = self._char_view.terms_
        gram_push = {terms[c]: v * char_weights[c] for c, v in zip(columns, values, strict=True)}
        span = slice(x_word.indptr[row], x_word.indptr[row + 1])
        word_weights = self._weights(self._word_svm, label)
        word_push = {
            int(c): v * word_weights[c]
            for c, v in zip(x_word.indices[span], x_word.data[span], strict=True)
        }
        vocabulary = self._word_view.vocabulary
        scored = []
        for word in candidate_words(doc):
            grams = {word[i : i + n] for n in (1, 2, 3) for i in range(len(word) - n + 1)}
            push = sum(gram_push.get(g, 0.0) for g in grams)
            push += word_push.get(vocabulary.get(word, -1), 0.0)
            if push > 0:
                scored.append((push, word))
        scored.sort(key=lambda item: -item[0])
        return [word for _push, word in scored[:EXPLAIN_TERMS]]

    def save(self, path: str | Path) -> None:
        """Write a versioned model file (a pickle; see the module's security note)."""
        payload = {
            "format": FORMAT_NAME,
            "version": self.FORMAT_VERSION,
            "sklearn": sklearn.__version__,
            "model": {
                "views": (self._char_view, self._word_view),
                "svms": (self._char_svm, self._word_svm),
                "calibrator": self._calibrator,
                "temperature": self.temperature,
                "review_threshold": self.review_threshold,
                "quality": self.quality,
                "neighbours": self._neighbours,
            },
        }
        with open(path, "wb") as f:
            pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> TextClassifier:
        """Read a model written by `save`. Only load files you trust: they are pickles."""
        name = str(path)
        try:
            with open(path, "rb") as f:
                payload = pickle.load(f)  # noqa: S301 - documented: trusted model files only
        except FileNotFoundError as e:
            raise ModelFormatError("model file not found", file=name) from e
        except (OSError, pickle.UnpicklingError, EOFError) as e:
            raise ModelFormatError(f"not a readable model file ({e})", file=name) from e
        except Exception as e:  # a pickle of something else can fail in many ways
            raise ModelFormatError(f"not a civicdesk model file ({e})", file=name) from e
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
            raise ModelFormatError(f"not a {FORMAT_NAME} file", file=name)
        version = payload.get("version")
        if version != cls.FORMAT_VERSION:
            raise ModelFormatError(
                f"model format version {version} cannot be read by this code, which reads "
                f"version {cls.FORMAT_VERSION}; retrain the model",
                file=name,
            )
        saved_with = payload.get("sklearn")
        if saved_with != sklearn.__version__:
            warnings.warn(
                f"{name}: model trained with scikit-learn {saved_with}, running "
                f"{sklearn.__version__}; predictions may differ slightly, retrain if in doubt",
                UserWarning,
                stacklevel=2,
            )
        try:
            m: dict[str, Any] = payload["model"]
            return cls(
                tuple(m["views"]),
                tuple(m["svms"]),
                m["calibrator"],
                float(m["temperature"]),
                float(m["review_threshold"]),
                dict(m["quality"]),
                m["neighbours"],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ModelFormatError(f"model file is incomplete ({e})", file=name) from e


def evaluate(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
) -> dict[str, Any]:
    """Train on one part, predict the other: macro-F1, accuracy, sizes, wall seconds, and how
    the "needs a person" rule did (share of test messages called sure, and how often those
    were right)."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clf = TextClassifier.train(train_texts, train_labels)
    predictions = clf.predict(test_texts, explain=False)
    seconds = time.perf_counter() - start
    predicted = [p.label for p in predictions]
    truth = [str(t).strip() for t in test_labels]
    sure = [p.label == t for p, t in zip(predictions, truth, strict=True) if not p.needs_review]
    return {
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
        "n_train": len(train_texts),
        "n_test": len(test_texts),
        "seconds": seconds,
        "share_sure": len(sure) / len(truth) if truth else 0.0,
        "precision_when_sure": sum(sure) / len(sure) if sure else None,
    }
