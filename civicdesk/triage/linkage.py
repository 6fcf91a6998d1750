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

import heapq
from collections import Counter
from collections.abc import Callable

import numpy as np

__all__ = ["average_linkage"]


def average_linkage(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    places: Callable[[int], list[int]] | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Cluster labels (a root row per cluster) of ``n`` items.

    ``a``, ``b``, ``similarity``: the known pairs and their similarities (each pair once).
    ``weights``: how many identical items each item stands for (default 1 each).
    Groups merge while their average similarity is at least ``threshold``. ``places(i)``
    gives the rare place keys of item ``i``: two groups whose majority places (held by at
    least half the members) are both known and disjoint never merge.
    """
    parent = list(range(n))
    size = [1.0] * n if weights is None else [float(w) for w in weights]
    adjacency: list[dict[int, float] | None] = [None] * n
    for x, y, s in zip(a.tolist(), b.tolist(), similarity.tolist(), strict=True):
        if x == y or s <= 0:
            continue
        s *= size[x] * size[y]  # an item of weight w stands for w identical items
        for p, q in ((x, y), (y, x)):
            row = adjacency[p]
            if row is None:
                row = adjacency[p] = {}
            row[q] = row.get(q, 0.0) + s
    heap = [
        (-s, x, y)
        for x, y, s in zip(a.tolist(), b.tolist(), similarity.tolist(), strict=True)
        if x != y and s >= threshold
    ]
    heapq.heapify(heap)
    counts: dict[int, Counter] = {}

    def place_counts(r: int) -> Counter:
        c = counts.get(r)
        if c is None:
            c = counts[r] = Counter({key: size[r] for key in (places(r) if places else ())})
        return c

    def majority(r: int) -> set[int]:
        need = size[r] / 2.0
        return {k for k, v in place_counts(r).items() if v >= need}

    while heap:
        negative, x, y = heapq.heappop(heap)
        if parent[x] != x or parent[y] != y:
            continue  # one of them was merged away; its edges moved to its new root
        row = adjacency[x]
        total = row.get(y, 0.0) if row else 0.0
        current = total / (size[x] * size[y])
        if current < -negative - 1e-9:
            # Stale: a group grew since this entry was pushed and the average fell.
            if current >= threshold:
                heapq.heappush(heap, (-current, x, y))
            continue
        if places is not None:
            px, py = majority(x), majority(y)
            if px and py and not (px & py):
                continue
        # Merge the smaller adjacency into the larger.
        big, small = (x, y) if len(adjacency[x] or ()) >= len(adjacency[y] or ()) else (y, x)
        big_row = adjacency[big] or {}
        small_row = adjacency[small] or {}
        big_row.pop(small, None)
        small_row.pop(big, None)
        if places is not None:
            big_places, small_places = place_counts(big), place_counts(small)
        parent[small] = big
        size[big] += size[small]
        for k, s in small_row.items():
            merged = big_row.get(k, 0.0) + s
            big_row[k] = merged
            k_row = adjacency[k]
            if k_row is not None:
                k_row.pop(small, None)
                k_row[big] = merged
            average = merged / (size[big] * size[k])
            if average >= threshold:
                heapq.heappush(heap, (-average, big, k) if big < k else (-average, k, big))
        adjacency[big] = big_row
        adjacency[small] = None
        if places is not None:
            big_places.update(small_places)
            if len(big_places) > 16:
                counts[big] = Counter(dict(big_places.most_common(16)))
            counts.pop(small, None)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    return np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
