"""TF-IDF of whole words: the classifier's second view of a message, beside character n-grams.

Words are cut by rjieba (jieba's dictionary and HMM in Rust, MIT licence), which segments
thousands of messages a second where jieba manages hundreds, so the word view costs little at
prediction time. The two views err on different messages: where they disagree, or where both
are only narrowly sure, the suggestion is likely wrong, which is what `confidence` learns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import rjieba
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

__all__ = ["WordTfidf", "segment"]

MIN_DF = 2  # a word seen in only one training message is noise (names, numbers, typos)
_HAS_WORD_CHARACTER = re.compile(r"\w")


def segment(text: str) -> list[str]:
    """The words of normalised text, in order, without spaces and punctuation."""
    # isalnum() is a C call that answers most words (a word character is alphanumeric or
    # "_"); only the rest, such as "3.5" or "a_b", go through the regular expression.
    return [w for w in rjieba.cut(text) if w.isalnum() or _HAS_WORD_CHARACTER.search(w)]


class WordTfidf:
    """TF-IDF of rjieba words (sublinear tf, smooth idf, l2 rows)."""

    def __init__(self, min_df: int = MIN_DF) -> None:
        self.min_df = min_df

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        words = [segment(doc) for doc in docs]
        # Fewer than min_df messages would leave no vocabulary at all (tiny training sets).
        min_df = self.min_df if len(docs) >= 2 * self.min_df else 1
        self._vectorizer = TfidfVectorizer(
            analyzer=_already_segmented, sublinear_tf=True, min_df=min_df
        )
        try:
            return self._vectorizer.fit_transform(words).tocsr()
        except ValueError:  # no word seen twice: keep every word instead
            self._vectorizer.set_params(min_df=1)
            return self._vectorizer.fit_transform(words).tocsr()

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """The same matrix as the fitted TfidfVectorizer's `transform`, counted with numpy:
        scikit-learn counts each message's words in a Python loop, which took a third of the
        classifier's prediction time (docs/benchmarks.md)."""
        vectorizer = self._vectorizer
        lookup = vectorizer.vocabulary_.get
        words = [segment(doc) for doc in docs]
        columns = np.fromiter(
            (lookup(w, -1) for doc_words in words for w in doc_words), dtype=np.int64
        )
        rows = np.repeat(np.arange(len(docs)), [len(doc_words) for doc_words in words])
        known = columns >= 0
        n_terms = len(vectorizer.vocabulary_)
        cells, counts = np.unique(rows[known] * n_terms + columns[known], return_counts=True)
        rows, columns = np.divmod(cells, n_terms)
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
        data = (1.0 + np.log(counts)) * vectorizer.idf_[columns]
        x = sp.csr_matrix((data, columns, indptr), shape=(len(docs), n_terms))
        return l2_normalize(x, copy=False)

    @property
    def vocabulary(self) -> dict[str, int]:
        return self._vectorizer.vocabulary_


def _already_segmented(words: list[str]) -> list[str]:
    # A module-level function (not a lambda), so that model files can be pickled.
    return words
