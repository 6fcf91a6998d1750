"""Scores of a clustering against a gold grouping (used by the benches and the tests).

Both take ``gold`` and ``pred`` as mappings from item to group label; only the items of
``gold`` are scored (the clustering may hold more, as distractors).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping

__all__ = ["bcubed_prf", "pairwise_prf", "title_check", "title_whole_words"]


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


# The last character of a place name or spot, which jieba may leave as a word of its own.
_PLACE_TAILS = frozenset("口路街巷栋幢号层楼室期区门侧边旁段")
_COUNTING = ("个", "多个", "几个", "好几个", "一些", "些", "几")
_ADMIN = re.compile(r"[市区县省镇乡]")
_BRACKETS = {"(": ")", "[": "]", "{": "}", "（": "）", "【": "】", "《": "》", "“": "”"}


def title_whole_words(title: str, member_texts: list[str]) -> bool:
    """Is every part of a title (the place and the phrase, either side of ``·``) made of
    whole words of what the members wrote, with no cut word ("政务服务中心 · 开办窗口" for
    企业开办窗口, "黑中介冒充工 · 作人员揽活") and no half of a bracket?

    A part passes where it occurs in a member's normalised text starting and ending on word
    boundaries of that text (jieba); a part written nowhere whole (a phrase of words from
    several members) passes when each of its words does. jieba keeps the tail of a place
    apart (中山路/口, 18/栋), so a part may also not start with such a tail, nor end with a
    number word waiting for its noun (要跑多个 for 要跑多个部门).
    """
    from civicdesk.triage.normalize import normalize
    from civicdesk.triage.tokenize import segment

    texts = [normalize(t) for t in member_texts]
    bounds = []
    for t in texts:
        edges, at = {0}, 0
        for token in segment(t):
            at += len(token)
            edges.add(at)
        # jieba does not know most proper names and glues them to an administrative level
        # before them (a市步趣 …): a name may start right after one.
        edges.update(m.end() for m in _ADMIN.finditer(t))
        bounds.append(edges)

    def whole(part: str) -> bool:
        for t, edges in zip(texts, bounds, strict=True):
            start = t.find(part)
            while start >= 0:
                if start in edges and start + len(part) in edges:
                    return True
                start = t.find(part, start + 1)
        return False

    for part in title.split(" · "):
        part = normalize(part.strip())
        if not part:
            return False
        opened = [ch for ch in part if ch in _BRACKETS]
        closed = [ch for ch in part if ch in _BRACKETS.values()]
        if len(opened) != len(closed):
            return False
        if segment(part)[0] in _PLACE_TAILS or part.endswith(_COUNTING):
            return False
        if whole(part):
            continue
        pieces = [w for w in segment(part) if w.strip()]
        if not pieces or not all(whole(w) for w in pieces):
            return False
    return True
