"""Scores of a clustering against a gold grouping (used by the benches and the tests).

Both take ``gold`` and ``pred`` as mappings from item to group label; only the items of
``gold`` are scored (the clustering may hold more, as distractors).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping

__all__ = ["bcubed_prf", "pairwise_prf"]


def pairwise_prf(gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]) -> dict:
    """Precision/recall/F1 over unordered pairs of items put together (items of ``gold``)."""
    items = list(gold)

    def pairs(labels: Mapping[str, Hashable]) -> set[tuple[str, str]]:
        groups: dict[Hashable, list[str]] = defaultdict(list)
        for i in items:
            groups[labels[i]].append(i)
        out = set()
        for members in groups.values():
            members.sort()
            out.update((a, b) for x, a in enumerate(members) for b in members[x + 1 :])
        return out

    g, p = pairs(gold), pairs(pred)
    tp = len(g & p)
    precision = tp / len(p) if p else 1.0
    recall = tp / len(g) if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def bcubed_prf(gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]) -> dict:
    """B-cubed (Bagga & Baldwin 1998): per-item precision/recall averaged over items."""
    items = list(gold)
    if not items:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    g_size = Counter(gold[i] for i in items)
    p_size = Counter(pred[i] for i in items)
    both = Counter((gold[i], pred[i]) for i in items)
    precision = sum(both[gold[i], pred[i]] / p_size[pred[i]] for i in items) / len(items)
    recall = sum(both[gold[i], pred[i]] / g_size[gold[i]] for i in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
