"""Average-linkage agglomerative clustering on a sparse similarity graph (no Django).

Classic average linkage merges, best first, the two groups whose members are on average most
alike, and needs every pairwise similarity: an n-by-n matrix. Here only the candidate pairs
are known; every other pair counts as similarity 0, which is what it is for pairs that share
no rare name and no rare word. So the average of two groups A and B is the sum of the known
similarities between them divided by ``|A|·|B|``: exactly average linkage on the full matrix
whenever the candidates hold every non-zero pair, at the cost of the edges only.

Unlike single linkage (connected components, or best-first pair merges), one strong edge does
not pull a message into a group it shares little with: a message about the same street but
another grievance has a low average similarity with the group of that street's real problem.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

__all__ = ["average_linkage"]


def average_linkage(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    places: sparse.csr_matrix | None = None,
    weights: np.ndarray | None = None,
    *,
    apart: Sequence[sparse.csr_matrix] = (),
) -> np.ndarray:
    """Cluster labels (a root row per cluster) of ``n`` items.

    ``a``, ``b``, ``similarity``: the known pairs and their similarities (each pair once).
    ``weights``: how many identical items each item stands for (default 1 each). Groups merge
    while their average similarity is at least ``threshold``. ``places``: an items-by-keys
    matrix of each item's rare place keys; two groups whose majority places (held by at least
    half the members) are both known and disjoint never merge. ``apart``: more items-by-keys
    matrices under the same rule (what each item is about: the thesaurus concepts it names;
    whether it is praise).

    Average linkage is *reducible* (merging two groups never brings a third one closer to
    either than it was to the nearer of them), so merging every pair of groups that are each
    other's nearest neighbour at once gives the same groups as merging the best pair one at a
    time. Each round is a few sparse matrix products over the pairs; rounds repeat until no
    pair of mutual nearest neighbours is above the threshold.
    """
    size = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = (a != b) & (similarity > 0)
    a, b, s = a[keep], b[keep], similarity[keep].astype(np.float64)
    # Pair sums weighted by what each item stands for; symmetric. The graph is contracted
    # after every round (groups become its nodes), so later rounds work on fewer nodes.
    w = s * size[a] * size[b]
    edges = sparse.csr_matrix(
        (np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    )
    edges.sum_duplicates()
    group_of = np.arange(n)  # each item's group, numbered in the order of the groups' roots
    roots = np.arange(n)  # each group's root: its lowest item
    group_size = size.copy()
    held = [
        sparse.csr_matrix(sparse.diags(size) @ sparse.csr_matrix(keys, dtype=np.float64))
        for keys in (places, *apart)
        if keys is not None
    ]
    banned = np.zeros(0, dtype=np.int64)  # root pairs that never merge, both orders, sorted
    while True:
        k = len(roots)
        if not edges.nnz:
            break
        edges.sort_indices()
        # Each group's nearest neighbour (ties: the lower index), row by row of the graph
        # (its rows are sorted), without sorting all the edges.
        x = np.repeat(np.arange(k), np.diff(edges.indptr))
        y = edges.indices
        average = edges.data / (group_size[x] * group_size[y])
        ok = (average >= threshold) & (x != y)
        if len(banned):
            pair_keys = roots[x].astype(np.int64) * (n + 1) + roots[y]
            at = np.minimum(np.searchsorted(banned, pair_keys), len(banned) - 1)
            ok &= banned[at] != pair_keys
        if not ok.any():
            break
        average = np.where(ok, average, -1.0)
        nonempty = np.flatnonzero(np.diff(edges.indptr) > 0)
        best = np.full(k, -1.0)
        best[nonempty] = np.maximum.reduceat(average, edges.indptr[nonempty])
        top = np.flatnonzero(ok & (average == best[x]))
        rows_top, first = np.unique(x[top], return_index=True)
        nearest = np.full(k, -1)
        nearest[rows_top] = y[top[first]]
        mutual = np.flatnonzero((nearest >= 0) & (nearest[np.maximum(nearest, 0)] == np.arange(k)))
        mutual = mutual[mutual < nearest[mutual]]
        blocked_any = False
        if held and len(mutual):
            other = nearest[mutual]
            blocked = np.zeros(len(mutual), dtype=bool)
            for counts in held:
                majority_m = _majority(counts[mutual], group_size[mutual])
                majority_o = _majority(counts[other], group_size[other])
                known = (np.diff(majority_m.indptr) > 0) & (np.diff(majority_o.indptr) > 0)
                shared = np.asarray(majority_m.multiply(majority_o).sum(axis=1)).ravel()
                blocked |= known & (shared == 0)
            if blocked.any():
                blocked_any = True
                p, q = roots[mutual[blocked]].astype(np.int64), roots[other[blocked]]
                banned = np.unique(np.concatenate([banned, p * (n + 1) + q, q * (n + 1) + p]))
            mutual = mutual[~blocked]
        if not len(mutual):
            if blocked_any:
                continue  # propose the next nearest neighbours instead
            break
        # Merge each mutual pair into its lower group and renumber the groups (roots stay in
        # order, so ties break as they did on the items).
        target = np.arange(k)
        target[nearest[mutual]] = mutual
        survivor = target == np.arange(k)
        renumber = np.cumsum(survivor) - 1
        new_of = renumber[target]
        k_new = int(survivor.sum())
        # The contracted graph: each edge moves to the new groups of its ends; edges inside a
        # new group go; parallel edges are summed (coo_tocsr sums duplicates).
        gx, gy = new_of[x], new_of[y]
        outside = gx != gy
        edges = sparse.csr_matrix(
            (edges.data[outside], (gx[outside], gy[outside])), shape=(k_new, k_new)
        )
        edges.sum_duplicates()
        for j, counts in enumerate(held):
            moved = counts.tocoo()
            held[j] = sparse.csr_matrix(
                (moved.data, (new_of[moved.row], moved.col)), shape=(k_new, counts.shape[1])
            )
            held[j].sum_duplicates()
        group_size = np.bincount(new_of, weights=group_size, minlength=k_new)
        roots = roots[survivor]
        group_of = new_of[group_of]
    return roots[group_of]


def _majority(counts: sparse.csr_matrix, group_size: np.ndarray) -> sparse.csr_matrix:
    """The keys at least half of each group holds (1 each), compared entry by entry: a
    sparse-to-dense comparison would build a dense groups-by-keys matrix."""
    counts = sparse.csr_matrix(counts)
    row_size = np.repeat(group_size, np.diff(counts.indptr))
    majority = counts.copy()
    majority.data = (counts.data >= row_size / 2.0).astype(np.float64)
    majority.eliminate_zeros()
    return majority
