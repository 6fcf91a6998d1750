"""Scores of a clustering against a gold grouping (used by the benches and the tests).

Both take ``gold`` and ``pred`` as mappings from item to group label; only the items of
``gold`` are scored (the clustering may hold more, as distractors).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping

__all__ = ["bcubed_prf", "pairwise_prf", "title_check"]


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


def title_check(title: str, member_texts: list[str]) -> tuple[bool, bool]:
    """Does a cluster's title name the problem of these member texts (a gold group)?

    Returns (names the place, names a shared grievance word):

    * the place: the group's places are the entity and name keys (:func:`extract`) that at
      least half of its members hold; the title must contain one of them, or its place part
      must be contained in one (a group that names no place passes);
    * the grievance: a whole word (jieba, two characters or more) of the title's phrase (after
      ``·``) that at least two members use (one, for a single message).
    """
    from civicdesk.triage.features import extract
    from civicdesk.triage.normalize import normalize
    from civicdesk.triage.tokenize import words

    if not member_texts:
        return False, False
    keys: Counter[str] = Counter()
    for text in member_texts:
        f = extract(text)
        keys.update(set(f.entity) | set(f.names))
    need = len(member_texts) / 2
    places = [k for k, c in keys.items() if c >= need and len(k) >= 2]
    place_part, separator, phrase = title.rpartition(" · ")
    if not separator:
        place_part, phrase = "", title
    names_place = not places or any(k in title or (place_part and place_part in k) for k in places)
    uses = 1 if len(member_texts) == 1 else 2
    normalized = [normalize(t) for t in member_texts]
    names_grievance = any(
        len(w) >= 2 and sum(w in t for t in normalized) >= uses for w in words(normalize(phrase))
    )
    return names_place, names_grievance
