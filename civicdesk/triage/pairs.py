"""Candidate pairs and their similarities without an n-by-n matrix (no Django).

Used by :mod:`civicdesk.triage.cluster`: :func:`candidate_pairs` pairs the rows that share a
blocking key (all pairs of a small block, neighbours in a sorted order in a large one) and
:func:`pair_dots` gives the dot products of many pairs of sparse rows at once.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

__all__ = ["candidate_pairs", "pair_dots", "ranges"]

#: Rows of the dense scratch matrix :func:`pair_dots` fills at a time.
DOT_ROWS = 64
#: :func:`pair_dots` shares its work between threads from this many pairs on, and uses at
#: most this many threads (the target machine has 2 cores).
THREADED_FROM = 200_000
MAX_THREADS = 4


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``start, start + 1, …, start + length - 1`` for each (start, length), concatenated."""
    lengths = np.asarray(lengths, dtype=np.int64)
    nz = lengths > 0
    starts, lengths = np.asarray(starts, dtype=np.int64)[nz], lengths[nz]
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    step = np.ones(total, dtype=np.int64)
    step[0] = starts[0]
    # At each range's first position, jump from the previous range's last value.
    at = np.cumsum(lengths)[:-1]
    step[at] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(step)


def pair_dots(m: sparse.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot product of rows ``a[i]`` and ``b[i]`` of ``m`` for every i.

    Fancy-indexing both rows of every pair copies each row once per pair it is in, twice;
    here the longer row of a pair is written once into a small dense scratch matrix (for
    :data:`DOT_ROWS` distinct rows at a time, over the columns they hold) and the shorter one
    is looked up in it, so the work is the shorter row's length per pair. Large inputs are
    shared between threads by chunks of rows (numpy and scipy's indexing let go of the GIL);
    every pair is summed by one thread in one order, so the result does not depend on it."""
    m = sparse.csr_matrix(m)
    out = np.zeros(len(a), dtype=np.float32)
    if not len(a) or not m.nnz:
        return out
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    nnz = np.diff(m.indptr).astype(np.int64)
    swap = nnz[b] > nnz[a]
    a, b = np.where(swap, b, a), np.where(swap, a, b)  # b holds the shorter row
    order = np.argsort(a, kind="stable")
    distinct, first = np.unique(a[order], return_index=True)
    bounds = np.r_[first, len(order)]
    chunks = range(0, len(distinct), DOT_ROWS)
    threads = _threads_for(len(a))

    def run(part: range) -> None:
        # Global column -> its column in the scratch matrix, 0 (always zero) where the rows
        # being written do not hold it; one per thread.
        where = np.zeros(m.shape[1], dtype=np.int64)
        for c in part:
            rows = distinct[c : c + DOT_ROWS]
            written = m[rows]
            present = np.unique(written.indices)
            where[present] = np.arange(1, len(present) + 1)
            scratch = np.zeros((len(rows), len(present) + 1), dtype=np.float32)
            scratch[
                np.repeat(np.arange(len(rows)), np.diff(written.indptr)), where[written.indices]
            ] = written.data
            pairs = order[bounds[c] : bounds[min(c + DOT_ROWS, len(distinct))]]
            local = np.searchsorted(rows, a[pairs])
            looked_up = m[b[pairs]]
            pair_of = np.repeat(np.arange(len(pairs)), np.diff(looked_up.indptr))
            values = scratch[local[pair_of], where[looked_up.indices]] * looked_up.data
            out[pairs] = np.bincount(pair_of, weights=values, minlength=len(pairs))
            where[present] = 0

    if threads == 1:
        run(chunks)
    else:
        # Interleaved chunks: rows are sorted, so neighbouring chunks cost about the same.
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, [chunks[t::threads] for t in range(threads)]))
    return out


def _threads_for(pairs: int) -> int:
    """Threads for :func:`pair_dots`: one below :data:`THREADED_FROM` pairs (starting threads
    would cost more than it saves), else one per core the process may use, at most
    :data:`MAX_THREADS`."""
    if pairs < THREADED_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


@functools.lru_cache(maxsize=256)
def _pairs_of(k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(k, 1)


def candidate_pairs(
    block: sparse.csc_matrix, sigs: list[np.ndarray], small: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows sharing a blocking column, each once (``a < b``): every pair of a block of
    at most ``small`` rows, and in a larger block each row with its ``window`` next rows in the
    order of each of ``sigs``, so the work per row is bounded. Blocks of one size are paired
    together as one array (no Python loop over the columns)."""
    block = sparse.csc_matrix(block)
    indptr, indices = block.indptr, block.indices
    sizes = np.diff(indptr)
    a_parts: list[np.ndarray] = [np.zeros(0, np.int64)]
    b_parts: list[np.ndarray] = [np.zeros(0, np.int64)]
    paired = np.flatnonzero((sizes >= 2) & (sizes <= small))
    for k in np.unique(sizes[paired]).tolist():
        columns = paired[sizes[paired] == k]
        rows = indices[indptr[columns][:, None] + np.arange(k)[None, :]]
        ii, jj = _pairs_of(k)
        a_parts.append(rows[:, ii].ravel())
        b_parts.append(rows[:, jj].ravel())
    for c in np.flatnonzero(sizes > small).tolist():
        rows = indices[indptr[c] : indptr[c + 1]]
        for sig in sigs:
            order = rows[np.argsort(sig[rows], kind="stable")]
            for off in range(1, window + 1):
                a_parts.append(order[:-off])
                b_parts.append(order[off:])
    a = np.concatenate(a_parts).astype(np.int64)
    b = np.concatenate(b_parts).astype(np.int64)
    n = block.shape[0] + 1
    code = np.minimum(a, b) * n + np.maximum(a, b)
    # Sorted and deduplicated by hand: np.unique's hash table took 38 s on the 40 million
    # codes of 100,000 messages, a sort takes a few.
    code.sort()
    code = code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code
    return code // n, code % n
