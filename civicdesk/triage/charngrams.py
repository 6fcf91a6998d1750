"""TF-IDF of character n-grams counted with numpy: the classifier's character view.

scikit-learn's character analyser runs in Python, one message at a time, and alone would be
slower than the whole classification pipeline; here every n-gram of a batch is a 64-bit rolling
hash computed with numpy arithmetic, and a hash table maps it to its column. The matrix is the
same as `TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)`
(checked equal to 1e-16 when this was written; docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize as l2_normalize

__all__ = ["CharTfidf"]

NGRAM_RANGE = (1, 3)
MIN_DF = 2  # n-grams seen in only one training message are noise (names, numbers, typos)

_P = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier for the rolling n-gram hash
_OFF = np.uint64(0x632BE59BD9B4E019)


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


class CharTfidf:
    """TF-IDF of character n-grams (sublinear tf, smooth idf, l2 rows), counted with numpy."""

    def __init__(self, ngram_range: tuple[int, int] = NGRAM_RANGE, min_df: int = MIN_DF):
        self.ngram_range = ngram_range
        self.min_df = min_df

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        joined, doc, key, start, length = _grams(docs, *self.ngram_range)
        order = np.lexsort((doc, key))
        ks, ds = key[order], doc[order]
        new_key = np.ones(len(ks), dtype=bool)
        new_key[1:] = ks[1:] != ks[:-1]
        first = new_key.copy()
        first[1:] |= ds[1:] != ds[:-1]
        pair_pos = np.flatnonzero(first)
        vocab, first_pair, df = np.unique(ks[pair_pos], return_index=True, return_counts=True)
        min_df = self.min_df if np.any(df >= self.min_df) else 1
        keep = df >= min_df
        # Each n-gram's column, known from the sort: no hash-table look-up while fitting.
        column_of_key = np.where(keep, np.cumsum(keep) - 1, -1)
        columns = np.empty(len(ks), dtype=np.int64)
        columns[order] = column_of_key[np.cumsum(new_key) - 1]
        self.keys_ = vocab[keep]
        where = order[pair_pos[first_pair[keep]]]
        self.terms_ = [joined[s : s + n] for s, n in zip(start[where], length[where], strict=True)]
        n_docs = len(docs)
        self.idf_ = np.log((1 + n_docs) / (1 + df[keep])) + 1.0
        self._build_table()
        return self._matrix(doc, columns, n_docs)

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
        return self._matrix(doc, self._lookup(key), len(docs))

    def _matrix(self, doc: np.ndarray, cols: np.ndarray, n_docs: int) -> sp.csr_matrix:
        """TF-IDF rows from each n-gram's document and column (-1: not in the vocabulary)."""
        hit = cols >= 0
        cell, counts = np.unique(doc[hit] * len(self.keys_) + cols[hit], return_counts=True)
        rows, cols = np.divmod(cell, len(self.keys_))
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        data = (1.0 + np.log(counts)) * self.idf_[cols]
        x = sp.csr_matrix((data, cols, indptr), shape=(n_docs, len(self.keys_)))
        return l2_normalize(x, copy=False)
