"""First-level classification of citizen messages: which department's category a message is.

The model is a linear SVM over TF-IDF character n-grams (1–3 characters) of the normalised
title and text, the title counted twice. Character n-grams cover Chinese words without a
segmenter, so classifying needs no jieba and runs at thousands of messages a second; the
n-grams are counted with numpy (`_CharTfidf`) rather than scikit-learn's per-character Python
analyser, which alone would be slower than the whole of this pipeline. Probabilities come from
the SVM's scores through a softmax whose temperature is fitted on cross-validated scores of the
training set (temperature scaling: it never changes which label wins). See
docs/benchmarks.md ("Triage: classification") for the measurements behind these choices.

Texts come in raw, the title and the text joined by the caller with "\\n"; the part before the
first newline, if short, is taken as the title. Everything is normalised here with
`normalize()` (Traditional → Simplified, full-width → half-width, HTML and `_x000D_` removed).

Security: model files are pickles, and loading a pickle can run arbitrary code. Load only
model files you made yourself or otherwise trust.
"""

from __future__ import annotations

import math
import pickle
import re
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
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.svm import LinearSVC

from civicdesk.triage.errors import ModelFormatError, TriageError
from civicdesk.triage.normalize import normalize

__all__ = ["Prediction", "TextClassifier", "evaluate"]

FORMAT_NAME = "civicdesk-triage-classifier"
TITLE_WEIGHT = 2  # the title is counted this many times; it names the problem most directly
MAX_TITLE_CHARS = 100  # a longer first line is treated as text, not as a title
NGRAM_RANGE = (1, 3)
MIN_DF = 2  # n-grams seen in only one training message are noise (names, numbers, typos)
SVM_C = 1.0  # chosen by 5-fold CV inside the seed-0 training part (0.2–1.0)
DEFAULT_TEMPERATURE = 0.3  # used when the training set is too small to fit one
EXPLAIN_TERMS = 8
# predict() vectorises this many messages at a time: the n-gram arrays of a 10,000-message
# batch outgrow the CPU caches and the sorts slow down (2,350 msg/s in one batch against
# 3,850 msg/s in batches of 512, measured on 10,000 test messages)
PREDICT_BATCH = 512

_P = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier for the rolling n-gram hash
_OFF = np.uint64(0x632BE59BD9B4E019)


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # probability of the top label, 0..1
    top3: list[tuple[str, float]]  # best first
    needs_review: bool  # confidence < review_threshold
    explanation: list[str]  # n-grams of the normalised text that pushed most towards `label`


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


def _grams(docs: Sequence[str], lo: int, hi: int) -> tuple[str, np.ndarray, ...]:
    """Every character n-gram (lo <= n <= hi) of every document, as 64-bit rolling hashes.

    Returns the joined text and, per n-gram: document index, hash, start offset and length.
    Documents are joined with NUL so that one pass of numpy arithmetic covers the batch; an
    n-gram containing a NUL would straddle two documents and is dropped.
    """
    joined = "\x00".join(d.replace("\x00", " ") for d in docs) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    csum = np.concatenate(([0], np.cumsum(cps == 0)))
    doc_parts, key_parts, start_parts, len_parts = [], [], [], []
    h = cps + _OFF
    with np.errstate(over="ignore"):
        for n in range(1, hi + 1):
            m = len(cps) - n + 1
            if m <= 0:
                break
            if n > 1:
                h = h[:m] * _P + cps[n - 1 : n - 1 + m]
            if n < lo:
                continue
            starts = np.flatnonzero(csum[n : n + m] == csum[:m])
            doc_parts.append(csum[starts])
            key_parts.append(h[starts])
            start_parts.append(starts)
            len_parts.append(np.full(len(starts), n, dtype=np.int64))
    return (
        joined,
        np.concatenate(doc_parts),
        np.concatenate(key_parts),
        np.concatenate(start_parts),
        np.concatenate(len_parts),
    )


class _CharTfidf:
    """TF-IDF of character n-grams (sublinear tf, smooth idf, l2 rows), counted with numpy."""

    def __init__(self, ngram_range: tuple[int, int] = NGRAM_RANGE, min_df: int = MIN_DF):
        self.ngram_range = ngram_range
        self.min_df = min_df

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        joined, doc, key, start, length = _grams(docs, *self.ngram_range)
        order = np.lexsort((doc, key))
        ks, ds = key[order], doc[order]
        first = np.ones(len(ks), dtype=bool)
        first[1:] = (ks[1:] != ks[:-1]) | (ds[1:] != ds[:-1])
        pair_pos = np.flatnonzero(first)
        vocab, first_pair, df = np.unique(ks[pair_pos], return_index=True, return_counts=True)
        min_df = self.min_df if np.any(df >= self.min_df) else 1
        keep = df >= min_df
        self.keys_ = vocab[keep]
        where = order[pair_pos[first_pair[keep]]]
        self.terms_ = [joined[s : s + n] for s, n in zip(start[where], length[where], strict=True)]
        n_docs = len(docs)
        self.idf_ = np.log((1 + n_docs) / (1 + df[keep])) + 1.0
        self._build_table()
        return self._matrix(doc, key, n_docs)

    def _build_table(self) -> None:
        """Open-addressing hash table (linear probing) from n-gram hash to column.

        Looking 2 million n-grams up with a binary search over a 400k vocabulary costs about
        a second of cache misses; with this table it is one or two probes each.
        """
        bits = max(4, int(np.ceil(np.log2(max(1, len(self.keys_))))) + 1)  # load <= 1/2
        self._shift = np.uint64(64 - bits)
        table = np.full(1 << bits, -1, dtype=np.int64)
        pending = np.arange(len(self.keys_))
        home = self._home(self.keys_)
        probe = 0
        while pending.size:
            slot = (home[pending] + probe) & ((1 << bits) - 1)
            free = table[slot] < 0
            slots, first = np.unique(slot[free], return_index=True)
            placed = pending[free][first]
            table[slots] = placed
            pending = np.setdiff1d(pending, placed, assume_unique=True)
            probe += 1
        self._table = table

    def _home(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys * _P) >> self._shift).astype(np.int64)

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """Column of each hash, or -1 where the n-gram is not in the vocabulary."""
        table, mask = self._table, len(self._table) - 1
        home = self._home(keys)
        cols = np.full(len(keys), -1, dtype=np.int64)
        pending = np.arange(len(keys))
        probe = 0
        while pending.size:
            col = table[(home[pending] + probe) & mask]
            found = col >= 0
            found[found] = self.keys_[col[found]] == keys[pending[found]]
            cols[pending[found]] = col[found]
            pending = pending[(col >= 0) & ~found]
            probe += 1
        return cols

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        if not docs:
            return sp.csr_matrix((0, len(self.keys_)))
        _, doc, key, _, _ = _grams(docs, *self.ngram_range)
        return self._matrix(doc, key, len(docs))

    def _matrix(self, doc: np.ndarray, key: np.ndarray, n_docs: int) -> sp.csr_matrix:
        cols = self._lookup(key)
        hit = cols >= 0
        cell, counts = np.unique(doc[hit] * len(self.keys_) + cols[hit], return_counts=True)
        rows, cols = np.divmod(cell, len(self.keys_))
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        data = (1.0 + np.log(counts)) * self.idf_[cols]
        x = sp.csr_matrix((data, cols, indptr), shape=(n_docs, len(self.keys_)))
        return l2_normalize(x, copy=False)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _scores(model: LinearSVC, x: sp.csr_matrix) -> np.ndarray:
    s = model.decision_function(x)
    if s.ndim == 1:  # two classes: scikit-learn gives the score of the second one only
        s = np.column_stack([-s, s]) / 2.0
    return s


def _fit_temperature(x: sp.csr_matrix, y: np.ndarray) -> float:
    """Softmax temperature minimising the log-loss of cross-validated SVM scores."""
    smallest = min(Counter(y.tolist()).values())
    folds = min(3, smallest)
    if folds < 2 or len(y) < 20:
        return DEFAULT_TEMPERATURE
    classes = np.unique(y)
    scores = np.zeros((len(y), len(classes)))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        if len(np.unique(y[train])) < len(classes):
            return DEFAULT_TEMPERATURE
        model = LinearSVC(C=SVM_C, class_weight="balanced").fit(x[train], y[train])
        scores[test] = _scores(model, x[test])
    truth = np.searchsorted(classes, y)

    def log_loss(log_t: float) -> float:
        p = _softmax(scores, math.exp(log_t))
        return float(-np.mean(np.log(p[np.arange(len(y)), truth] + 1e-12)))

    best = minimize_scalar(log_loss, bounds=(math.log(0.01), math.log(10.0)), method="bounded")
    return math.exp(best.x)


_EDGE_NOISE = re.compile(r"^[\W_]+|[\W_]+$")


def _readable(term: str) -> str:
    """An n-gram as a person can read it: punctuation at its edges dropped; fragments that
    still hold punctuation, or single characters, say nothing and are skipped."""
    term = _EDGE_NOISE.sub("", term)
    if len(term) < 2 or re.search(r"[\W_]", term):
        return ""
    return term


class TextClassifier:
    """A trained first-level classifier; `train`, then `predict`, `save` and `load`."""

    FORMAT_VERSION: ClassVar[int] = 1

    def __init__(
        self,
        vectorizer: _CharTfidf,
        model: LinearSVC,
        temperature: float,
        review_threshold: float,
    ) -> None:
        self._vectorizer = vectorizer
        self._model = model
        self.temperature = temperature
        self.review_threshold = review_threshold
        self.labels: list[str] = [str(c) for c in model.classes_]

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        review_threshold: float = 0.5,
    ) -> TextClassifier:
        """Train on raw texts and their labels.

        Raises TriageError for no texts, a length mismatch, a missing or blank label, an
        empty text (after normalisation), or fewer than two distinct labels. A label with a
        single example is accepted with a UserWarning: the model can predict it, but it has
        almost nothing to go on and the probabilities are not calibrated for it.
        """
        if not 0.0 <= review_threshold <= 1.0:
            raise TriageError(f"review_threshold must be between 0 and 1, not {review_threshold}")
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
        vectorizer = _CharTfidf()
        x = vectorizer.fit_transform(docs)
        model = LinearSVC(C=SVM_C, class_weight="balanced").fit(x, y)
        temperature = _fit_temperature(x, y)
        return cls(vectorizer, model, temperature, review_threshold)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One Prediction per text, in order; empty texts get the prior-free best guess."""
        out: list[Prediction] = []
        for start in range(0, len(texts), PREDICT_BATCH):
            out.extend(self._predict_batch(texts[start : start + PREDICT_BATCH]))
        return out

    def _predict_batch(self, texts: Sequence[str]) -> list[Prediction]:
        docs = [_document(t) for t in texts]
        x = self._vectorizer.transform(docs)
        probs = _softmax(_scores(self._model, x), self.temperature)
        order = np.argsort(-probs, axis=1)[:, :3]
        coef = self._model.coef_
        out = []
        for i, doc in enumerate(docs):
            top = [(self.labels[j], float(probs[i, j])) for j in order[i]]
            best = int(order[i, 0])
            confidence = top[0][1]
            out.append(
                Prediction(
                    label=top[0][0],
                    confidence=confidence,
                    top3=top,
                    needs_review=confidence < self.review_threshold,
                    explanation=self._explain(
                        x.indices[x.indptr[i] : x.indptr[i + 1]],
                        x.data[x.indptr[i] : x.indptr[i + 1]],
                        best,
                        doc,
                        coef,
                    ),
                )
            )
        return out

    def _explain(
        self, indices: np.ndarray, values: np.ndarray, label: int, doc: str, coef: np.ndarray
    ) -> list[str]:
        # with two labels scikit-learn keeps one row of weights, scoring the second label
        weights = coef[label] if coef.shape[0] > 1 else (1.0 if label == 1 else -1.0) * coef[0]
        contrib = values * weights[indices]
        chosen: list[str] = []
        for k in np.argsort(-contrib)[: 4 * EXPLAIN_TERMS]:
            if contrib[k] <= 0 or len(chosen) >= EXPLAIN_TERMS:
                break
            term = _readable(self._vectorizer.terms_[indices[k]])
            if not term or term not in doc or any(term in c for c in chosen):
                continue
            chosen = [c for c in chosen if c not in term]  # keep the longer n-gram
            chosen.append(term)
        return chosen

    def save(self, path: str | Path) -> None:
        """Write a versioned model file (a pickle; see the module's security note)."""
        payload = {
            "format": FORMAT_NAME,
            "version": self.FORMAT_VERSION,
            "sklearn": sklearn.__version__,
            "model": {
                "vectorizer": self._vectorizer,
                "svm": self._model,
                "temperature": self.temperature,
                "review_threshold": self.review_threshold,
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
            return cls(m["vectorizer"], m["svm"], float(m["temperature"]), m["review_threshold"])
        except (KeyError, TypeError, AttributeError) as e:
            raise ModelFormatError(f"model file is incomplete ({e})", file=name) from e


def evaluate(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
) -> dict[str, Any]:
    """Train on one part, predict the other: macro-F1, accuracy, sizes, wall seconds."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clf = TextClassifier.train(train_texts, train_labels)
    predicted = [p.label for p in clf.predict(test_texts)]
    seconds = time.perf_counter() - start
    truth = [str(t).strip() for t in test_labels]
    return {
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
        "n_train": len(train_texts),
        "n_test": len(test_texts),
        "seconds": seconds,
    }
